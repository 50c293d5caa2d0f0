import { CASES } from "./cases/program";
import { runCases } from "./run-cases";

runCases(CASES);
