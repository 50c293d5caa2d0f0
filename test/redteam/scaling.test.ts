import { CASES } from "./cases/scaling";
import { runCases } from "./run-cases";

runCases(CASES);
