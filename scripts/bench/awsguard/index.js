// Pulumi's AWS rule set with every rule on, run over the same resources as our pack by
// `npm run bench:policy -- --awsguard`. Advisory, so a finding never stops the benchmark.
const { AwsGuard } = require("@pulumi/awsguard");

new AwsGuard({ all: "advisory" });
