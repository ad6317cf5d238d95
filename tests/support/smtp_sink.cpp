#include "tests/support/smtp_sink.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace helpline::test {
namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_atomically(const fs::path& p, const std::string& text) {
    const fs::path tmp = p.string() + ".tmp";
    std::ofstream(tmp, std::ios::binary) << text;
    fs::rename(tmp, p);
}

}  // namespace

SmtpSink::SmtpSink(const std::string& auth, Tls tls) : tls_(tls) {
    const std::string python = HELPLINE_SYSTEM_PYTHON;
    const std::string script = std::string(HELPLINE_SOURCE_DIR) + "/tests/support/smtp_sink.py";
    const std::string folder = dir_.path().string();
    std::vector<std::string> argv = {python, script, "--dir", folder, "--max-seconds", "300"};
    if (!auth.empty()) argv.insert(argv.end(), {"--auth", auth});
    if (tls != Tls::none)
        argv.insert(argv.end(), {"--tls", tls == Tls::starttls ? "starttls" : "implicit", "--tls-cert",
                                 source_path("tests/fixtures/tls/relay-127.0.0.1.pem").string(), "--tls-key",
                                 source_path("tests/fixtures/tls/relay-127.0.0.1.key").string()});
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = (dir_.path() / "sink.log").string();
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("could not start " + python + ": install python3 (Debian's python3-aiosmtpd)");
    pid_ = pid;
    const bool up = wait_for([&] { return fs::exists(dir_ / "port"); }, std::chrono::seconds(20));
    if (!up) {
        int status = 0;
        const bool exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
        if (exited) pid_ = -1;
        throw std::runtime_error("the test SMTP server did not start (install Debian's python3-aiosmtpd): " +
                                 slurp(dir_ / "sink.log"));
    }
    port_ = static_cast<std::uint16_t>(std::stoi(slurp(dir_ / "port")));
}

SmtpSink::~SmtpSink() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

std::string SmtpSink::url() const {
    return (tls_ == Tls::implicit ? "smtps://127.0.0.1:" : "smtp://127.0.0.1:") + std::to_string(port_);
}

fs::path SmtpSink::ca_file() { return source_path("tests/fixtures/tls/relay-ca.pem"); }

std::vector<nlohmann::json> SmtpSink::messages() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("msg-", 0) == 0 && entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<nlohmann::json> out;
    for (const auto& f : files) out.push_back(nlohmann::json::parse(slurp(f)));
    return out;
}

std::vector<nlohmann::json> SmtpSink::wait_for_messages(std::size_t count, std::chrono::milliseconds timeout) const {
    std::vector<nlohmann::json> got;
    wait_for(
        [&] {
            got = messages();
            return got.size() >= count;
        },
        timeout);
    return got;
}

void SmtpSink::control(const nlohmann::json& settings) const {
    write_atomically(dir_ / "control.json", settings.dump());
}

void SmtpSink::release() const { write_atomically(dir_ / "release", "go"); }

}  // namespace helpline::test
