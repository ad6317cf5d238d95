#pragma once
// The subcommands of helpline-brand, one file each. Each returns the process exit code.

#include <filesystem>
#include <ostream>
#include <string>

namespace helpline::brand {

/// Exit codes (documented in docs/branding.md).
enum ExitCode : int { kExitOk = 0, kExitInvalid = 1, kExitUsage = 2 };

struct Io {
    std::ostream& out;
    std::ostream& err;
};

struct KeygenOptions {
    std::filesystem::path out_dir;
    bool force = false;
};
int keygen(const KeygenOptions& options, Io io);

struct ValidateOptions {
    std::filesystem::path profile;
    bool json = false;
};
int validate(const ValidateOptions& options, Io io);

struct StampOptions {
    std::filesystem::path profile;
    std::filesystem::path key;
    std::filesystem::path client;
    std::filesystem::path out;  ///< file or existing folder; empty: current folder
    bool restamp = false;
};
int stamp(const StampOptions& options, Io io);

struct InspectOptions {
    std::filesystem::path binary;
    bool json = false;
};
int inspect(const InspectOptions& options, Io io);

struct PackageOptions {
    std::filesystem::path profile;
    std::filesystem::path key;
    std::filesystem::path base;  ///< empty: default_client_base_dir()
    std::string formats = "deb,tgz";
    std::filesystem::path out;  ///< empty: the current folder
};
int package(const PackageOptions& options, Io io);

struct SignProfileOptions {
    std::filesystem::path profile;
    std::filesystem::path key;
    std::filesystem::path out;  ///< empty: <id>-r<revision>.envelope.json in the current folder
};
int sign_profile(const SignProfileOptions& options, Io io);

}  // namespace helpline::brand
