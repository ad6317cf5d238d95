#include <fmt/format.h>
#include <windows.h>

#include <algorithm>
#include <cwctype>
#include <thread>

#include "client/core/command_line.h"
#include "client/core/spawn.h"
#include "client/core/win32_util.h"

namespace helpline::client {

namespace fs = std::filesystem;
using win32::UniqueHandle;

struct ChildProcess::Handles {
    UniqueHandle process;
    UniqueHandle job;  ///< with own_process_group: the child and all it starts
    /// The child shares our console in a group of its own: CTRL_BREAK reaches it alone.
    bool ctrl_break = false;
};

namespace {

/// What a child ended by stop() reports: 128 + SIGKILL, as on Linux, so that logs read alike.
constexpr UINT kStoppedExitCode = 128 + 9;
/// CreateProcessW's limit for the command line, terminating null included.
constexpr std::size_t kMaxCommandLine = 32767;

bool ends_with_exe(const std::wstring& name) {
    if (name.size() < 4) return false;
    std::wstring tail = name.substr(name.size() - 4);
    for (auto& c : tail) c = static_cast<wchar_t>(std::towlower(c));
    return tail == L".exe";
}

/// `base` itself when it names an .exe file, else `base` + ".exe" when that is a file.
std::optional<fs::path> executable_at(const fs::path& base) {
    std::error_code ec;
    if (ends_with_exe(base.native())) {
        if (fs::is_regular_file(base, ec)) return base;
        return std::nullopt;
    }
    fs::path with_exe = base;
    with_exe += L".exe";
    if (fs::is_regular_file(with_exe, ec)) return with_exe;
    return std::nullopt;
}

std::wstring environment(const wchar_t* name) {
    const DWORD size = ::GetEnvironmentVariableW(name, nullptr, 0);
    if (size == 0) return {};
    std::wstring value(size, L'\0');
    const DWORD n = ::GetEnvironmentVariableW(name, value.data(), size);
    value.resize(n < size ? n : 0);
    return value;
}

std::wstring system_directory() {
    wchar_t buffer[MAX_PATH + 1] = {};
    const UINT n = ::GetSystemDirectoryW(buffer, MAX_PATH);
    return n > 0 && n < MAX_PATH ? std::wstring(buffer, n) : std::wstring();
}

Error spawn_error(const char* code, const std::string& what, const fs::path& executable,
                  DWORD error) {
    const std::string name = win32::to_utf8(executable.native());
    return make_error(code, fmt::format("{} '{}': {}.", what, name, win32::error_text(error)),
                      name);
}

/// An inheritable handle on `path` (stdin: read, else write; created and truncated), shared
/// so that the client may read the output while the child writes it.
UniqueHandle open_inheritable(const std::wstring& path, bool for_input) {
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    return UniqueHandle(::CreateFileW(path.c_str(), for_input ? GENERIC_READ : GENERIC_WRITE,
                                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                      &inherit, for_input ? OPEN_EXISTING : CREATE_ALWAYS,
                                      FILE_ATTRIBUTE_NORMAL, nullptr));
}

/// The list of handles the child inherits, and nothing else of ours: another thread's
/// inheritable handle cannot leak into it (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).
class AttributeList {
  public:
    explicit AttributeList(std::vector<HANDLE> handles) : handles_(std::move(handles)) {
        SIZE_T size = 0;
        ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
        storage_.resize(size);
        list_ = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.data());
        ok_ = ::InitializeProcThreadAttributeList(list_, 1, 0, &size) != FALSE;
        if (ok_)
            ok_ = ::UpdateProcThreadAttribute(list_, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                              handles_.data(), handles_.size() * sizeof(HANDLE),
                                              nullptr, nullptr) != FALSE;
    }
    ~AttributeList() {
        if (list_ != nullptr) ::DeleteProcThreadAttributeList(list_);
    }
    AttributeList(const AttributeList&) = delete;
    AttributeList& operator=(const AttributeList&) = delete;

    bool ok() const { return ok_; }
    LPPROC_THREAD_ATTRIBUTE_LIST get() const { return list_; }

  private:
    std::vector<HANDLE> handles_;
    std::vector<unsigned char> storage_;
    LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
    bool ok_ = false;
};

/// A job that kills what it holds when its last handle closes: stopping the child, or the
/// client ending in any way, ends the child's whole tree.
Result<UniqueHandle> kill_on_close_job() {
    UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
    if (!job.valid())
        return make_error("spawn.setup", fmt::format("Could not create a job for a program: {}.",
                                                     win32::last_error_text()));
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                                   sizeof limits))
        return make_error("spawn.setup", fmt::format("Could not set up a job for a program: {}.",
                                                     win32::last_error_text()));
    return job;
}

}  // namespace

std::optional<fs::path> find_executable(const std::string& name,
                                        const std::vector<fs::path>& first_dirs) {
    if (name.empty()) return std::nullopt;
    const fs::path wanted(win32::to_wide(name));
    if (name.find_first_of("/\\") != std::string::npos) {
        if (wanted.is_absolute()) {
            std::error_code ec;
            if (fs::is_regular_file(wanted, ec)) return wanted;
            return executable_at(wanted);
        }
        return std::nullopt;
    }
    for (const fs::path& dir : first_dirs) {
        if (!dir.is_absolute()) continue;
        if (auto found = executable_at(dir / wanted)) return found;
    }
    std::wstring search = environment(L"PATH");
    if (search.empty()) search = system_directory();
    std::size_t start = 0;
    while (start <= search.size()) {
        std::size_t end = search.find(L';', start);
        if (end == std::wstring::npos) end = search.size();
        std::wstring entry = search.substr(start, end - start);
        // PATH entries may be quoted ("C:\Program Files\x"): the quotes are not part of it.
        entry.erase(std::remove(entry.begin(), entry.end(), L'"'), entry.end());
        const fs::path dir(entry);
        if (dir.is_absolute())
            if (auto found = executable_at(dir / wanted)) return found;
        start = end + 1;
    }
    return std::nullopt;
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const SpawnOptions& options) {
    auto line = windows_command_line(options.argv);
    if (!line) return line.error();
    std::wstring command_line = win32::to_wide(*line);
    if (command_line.size() >= kMaxCommandLine)
        return make_error("spawn.argv",
                          fmt::format("The command line for '{}' is too long for Windows.",
                                      win32::to_utf8(options.executable.native())));

    UniqueHandle input = open_inheritable(L"NUL", true);
    if (!input.valid())
        return spawn_error("spawn.setup", "Could not prepare to start", options.executable,
                           ::GetLastError());
    const std::wstring output_path = options.output.empty() ? L"NUL" : options.output.native();
    UniqueHandle output = open_inheritable(output_path, false);
    if (!output.valid())
        return make_error(
            "spawn.setup",
            fmt::format("Could not create the output file '{}' of '{}': {}.",
                        win32::to_utf8(output_path), win32::to_utf8(options.executable.native()),
                        win32::last_error_text()),
            win32::to_utf8(output_path));

    AttributeList attributes({input.get(), output.get()});
    if (!attributes.ok())
        return spawn_error("spawn.setup", "Could not prepare to start", options.executable,
                           ::GetLastError());

    auto handles = std::make_unique<Handles>();
    if (options.own_process_group) {
        auto job = kill_on_close_job();
        if (!job) return job.error();
        handles->job = std::move(*job);
    }

    STARTUPINFOEXW startup{};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = input.get();
    startup.StartupInfo.hStdOutput = output.get();
    startup.StartupInfo.hStdError = output.get();
    startup.lpAttributeList = attributes.get();

    // Suspended until it is in its job, so that nothing it starts escapes the job. A console
    // program shares our console when we have one (so that CTRL_BREAK can ask it to stop);
    // a GUI client has none, and a console of its own must not pop up.
    const bool have_console = ::GetConsoleWindow() != nullptr;
    DWORD flags = CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT;
    if (options.own_process_group) flags |= CREATE_NEW_PROCESS_GROUP;
    if (!have_console) flags |= CREATE_NO_WINDOW;
    handles->ctrl_break = have_console && options.own_process_group;

    PROCESS_INFORMATION info{};
    if (!::CreateProcessW(options.executable.c_str(), command_line.data(), nullptr, nullptr, TRUE,
                          flags, nullptr, nullptr, &startup.StartupInfo, &info))
        return spawn_error("spawn.exec", "Could not start", options.executable, ::GetLastError());
    handles->process.reset(info.hProcess);
    UniqueHandle thread(info.hThread);
    if (handles->job.valid() && !::AssignProcessToJobObject(handles->job.get(), info.hProcess)) {
        const DWORD error = ::GetLastError();
        ::TerminateProcess(info.hProcess, kStoppedExitCode);
        return spawn_error("spawn.setup", "Could not put into its job", options.executable, error);
    }
    ::ResumeThread(thread.get());
    return std::unique_ptr<ChildProcess>(new ChildProcess(
        static_cast<int>(info.dwProcessId), options.own_process_group, std::move(handles)));
}

ChildProcess::ChildProcess(int pid, bool own_group, std::unique_ptr<Handles> handles)
    : pid_(pid), own_group_(own_group), handles_(std::move(handles)) {}

ChildProcess::~ChildProcess() {
    stop(std::chrono::milliseconds(1000));
}

bool ChildProcess::exited() {
    std::lock_guard lock(mutex_);
    return exited_locked();
}

std::optional<int> ChildProcess::exit_status() {
    std::lock_guard lock(mutex_);
    exited_locked();
    return status_;
}

bool ChildProcess::exited_locked() {
    if (status_) return true;
    if (!handles_ || !handles_->process.valid()) return true;
    if (::WaitForSingleObject(handles_->process.get(), 0) != WAIT_OBJECT_0) return false;
    DWORD code = 0;
    status_ = ::GetExitCodeProcess(handles_->process.get(), &code) ? static_cast<int>(code) : -1;
    return true;
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
    std::lock_guard lock(mutex_);
    if (reaped_) return;
    // While the process handle is open its id cannot be reused, so CTRL_BREAK (to the group
    // whose id is the child's) reaches only the child and what it started.
    if (!exited_locked() && handles_->ctrl_break) {
        ::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, static_cast<DWORD>(pid_));
        const auto waited = std::max<std::chrono::milliseconds::rep>(0, grace.count());
        ::WaitForSingleObject(handles_->process.get(), static_cast<DWORD>(waited));
    }
    // The job holds stragglers too (the child's own children); without a job only the child
    // is ours to end.
    if (handles_->job.valid())
        ::TerminateJobObject(handles_->job.get(), kStoppedExitCode);
    else if (!exited_locked())
        ::TerminateProcess(handles_->process.get(), kStoppedExitCode);
    // Termination is asynchronous; bounded all the same, so that a process stuck in the
    // kernel cannot hang the client.
    ::WaitForSingleObject(handles_->process.get(), 5000);
    exited_locked();
    handles_->job.reset();
    handles_->process.reset();
    reaped_ = true;
}

}  // namespace helpline::client
