import { CASES } from "./cases/alarms";
import { runCases } from "./run-cases";

runCases(CASES);
