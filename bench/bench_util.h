#pragma once
// Helpers for the benchmarks: run a command and time it, medians, percentiles.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace helpline::bench {

/// argv and an environment (this process's plus `extra`, "NAME=value" each) in the form
/// posix_spawn takes; the strings are owned here and live as long as this object.
class SpawnArgs {
  public:
    SpawnArgs(const std::vector<std::string>& argv, const std::vector<std::string>& extra)
        : strings_(argv) {
        for (char** e = environ; *e != nullptr; ++e) env_strings_.emplace_back(*e);
        env_strings_.insert(env_strings_.end(), extra.begin(), extra.end());
        for (auto& a : strings_) args_.push_back(a.data());
        args_.push_back(nullptr);
        for (auto& e : env_strings_) env_.push_back(e.data());
        env_.push_back(nullptr);
    }
    SpawnArgs(const SpawnArgs&) = delete;
    SpawnArgs& operator=(const SpawnArgs&) = delete;

    const char* path() const { return args_[0]; }
    char* const* argv() { return args_.data(); }
    char* const* envp() { return env_.data(); }

  private:
    std::vector<std::string> strings_;
    std::vector<std::string> env_strings_;
    std::vector<char*> args_;
    std::vector<char*> env_;
};

/// Runs argv (no shell) with stdout/stderr discarded; returns wall seconds. Throws on failure.
inline double time_command(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    const auto end = std::chrono::steady_clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(argv[0] + " failed");
    return std::chrono::duration<double>(end - start).count();
}

inline double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}
inline double median(std::vector<double> v) { return percentile(std::move(v), 0.5); }

/// What a "--name value" option does with its value (std::stoul and friends throw on a
/// bad one, which the benchmark's main reports with its usage).
using FlagSetters = std::map<std::string, std::function<void(const std::string& value)>>;

/// A version-4 UUID from `rng`, any generator of 64-bit values (std::mt19937_64, the
/// seeder's reproducible Rng).
template <typename Generator>
std::string uuid4(Generator& rng) {
    const std::uint64_t hi = (rng() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    const std::uint64_t lo = (rng() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    char out[37];
    std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                  static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return out;
}

/// "1,16,64" -> {1, 16, 64} (std::stoul throws on a bad item).
inline std::vector<std::size_t> parse_list(const std::string& text) {
    std::vector<std::size_t> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        out.push_back(std::stoul(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

/// Reads "--name value" pairs from argv[first] on; every name must be in `setters`.
inline void parse_flags(int argc, char** argv, int first, const FlagSetters& setters) {
    for (int i = first; i < argc; ++i) {
        const std::string name = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument(name + " needs a value");
        const auto it = setters.find(name);
        if (it == setters.end()) throw std::invalid_argument("unknown option " + name);
        it->second(argv[++i]);
    }
}

}  // namespace helpline::bench
