import { CASES } from "./cases/database";
import { runCases } from "./run-cases";

runCases(CASES);
