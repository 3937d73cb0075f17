// The external program the process-exit example supervises: prints three lines, then exits
// with the code given as its first argument (non-zero: it "crashed").
const code = Number(process.argv.at(-1));
for (let i = 1; i <= 3; i++) console.log(`line ${i} of 3`);
process.exitCode = code;
