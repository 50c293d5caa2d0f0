import { CASES } from "./cases/cdn";
import { runCases } from "./run-cases";

runCases(CASES);
