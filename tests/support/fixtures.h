#pragma once
// Test helpers: a temporary folder removed at scope end, polling with a deadline,
// and paths to the fixtures.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

namespace helpline::test {

namespace fs = std::filesystem;

/// A fresh folder under $TMPDIR (%TEMP% on Windows), only its owner's, removed with
/// everything in it when it goes out of scope. Portable: the Windows tests use it too.
class TempDir {
public:
    TempDir() {
        std::random_device random;
        for (int attempt = 0; attempt < 100; ++attempt) {
            const auto candidate =
                fs::temp_directory_path() / ("helpline-test-" + std::to_string(random()));
            if (fs::create_directory(candidate)) {  // false: it exists, take another name
                fs::permissions(candidate, fs::perms::owner_all, fs::perm_options::replace);
                path_ = candidate;
                return;
            }
        }
        throw std::runtime_error("could not create a temporary folder");
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    fs::path operator/(const fs::path& p) const { return path_ / p; }

private:
    fs::path path_;
};

/// Polls `predicate` until it holds or `timeout` passes; returns its last answer.
template <typename Predicate>
bool wait_for(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(10),
              std::chrono::milliseconds interval = std::chrono::milliseconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (predicate()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(interval);
    }
}

inline fs::path fixture(const fs::path& relative) { return fs::path(HELPLINE_FIXTURES_DIR) / relative; }
inline fs::path source_path(const fs::path& relative) { return fs::path(HELPLINE_SOURCE_DIR) / relative; }

inline std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

}  // namespace helpline::test
