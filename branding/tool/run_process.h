#pragma once
// Running helper programs (rsvg-convert) side by side and waiting for all of them.

#include <filesystem>
#include <string>
#include <vector>

#include "shared/result.h"

namespace helpline::brand {

struct ProcessOutcome {
    int exit_code = -1;  ///< 128 + signal when killed
    std::string err;     ///< what it wrote to stderr
};

/// Starts every command (argv[0] looked up in PATH; no shell) at once, each with stdin
/// from /dev/null, stdout discarded and stderr kept in `scratch_dir`, and waits for all.
/// An error only when a program cannot be started at all (code "process.not_found" when
/// it is not in PATH).
Result<std::vector<ProcessOutcome>> run_all(const std::vector<std::vector<std::string>>& commands,
                                            const std::filesystem::path& scratch_dir);

}  // namespace helpline::brand
