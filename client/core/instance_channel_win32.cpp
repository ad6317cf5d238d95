// windows.h first: the headers after it need its types.
// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <fmt/format.h>

#include <algorithm>

#include "client/core/instance_channel.h"
#include "client/core/win32_util.h"

namespace helpline::client {

using win32::UniqueHandle;

namespace {

constexpr char kRaise[] = "raise\n";
constexpr char kDone[] = "ok\n";

enum class Wait { done, failed, timeout, stopped };

/// Completes an overlapped operation on `h` that `started` (ReadFile's, WriteFile's or
/// ConnectNamedPipe's return value) began: its result, or cancelled at `timeout_ms` or when
/// `stop` (may be null) is signalled. `ov` may be reused once this returns.
Wait complete(HANDLE h, OVERLAPPED& ov, BOOL started, HANDLE stop, DWORD timeout_ms, DWORD& bytes) {
    bytes = 0;
    if (!started && ::GetLastError() != ERROR_IO_PENDING) return Wait::failed;
    const HANDLE events[2] = {ov.hEvent, stop};
    const DWORD count = stop != nullptr ? 2 : 1;
    const DWORD woke = ::WaitForMultipleObjects(count, events, FALSE, timeout_ms);
    if (woke == WAIT_OBJECT_0)
        return ::GetOverlappedResult(h, &ov, &bytes, FALSE) ? Wait::done : Wait::failed;
    // The operation must be over before `ov` can go: cancel it and wait for that.
    ::CancelIoEx(h, &ov);
    ::GetOverlappedResult(h, &ov, &bytes, TRUE);
    return woke == WAIT_OBJECT_0 + 1 ? Wait::stopped : Wait::timeout;
}

/// Reads up to `max` bytes until a newline, the end of the stream or `timeout`.
std::string read_line(HANDLE h, HANDLE event, HANDLE stop, std::size_t max,
                      std::chrono::milliseconds timeout) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (line.size() < max && line.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        char buffer[32];
        OVERLAPPED ov{};
        ov.hEvent = event;
        const DWORD want = static_cast<DWORD>(std::min(sizeof buffer, max - line.size()));
        const BOOL started = ::ReadFile(h, buffer, want, nullptr, &ov);
        DWORD n = 0;
        if (complete(h, ov, started, stop, static_cast<DWORD>(left.count()), n) != Wait::done ||
            n == 0)
            break;
        line.append(buffer, n);
    }
    return line;
}

bool write_all(HANDLE h, HANDLE event, std::string_view data, std::chrono::milliseconds timeout) {
    OVERLAPPED ov{};
    ov.hEvent = event;
    const BOOL started = ::WriteFile(h, data.data(), static_cast<DWORD>(data.size()), nullptr, &ov);
    DWORD n = 0;
    return complete(h, ov, started, nullptr, static_cast<DWORD>(timeout.count()), n) ==
               Wait::done &&
           n == data.size();
}

UniqueHandle manual_reset_event() {
    return UniqueHandle(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
}

/// Only this user may open the pipe (not the default "Everyone may read"): the name is
/// guessable, and another user's process must not be able to hold our channel's one
/// instance.
struct PipeSecurity {
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    ~PipeSecurity() {
        if (descriptor != nullptr) ::LocalFree(descriptor);
    }
};

}  // namespace

struct InstanceChannel::Listener {
    std::filesystem::path pipe_name;
    UniqueHandle pipe;  ///< the pipe's only instance, overlapped
    UniqueHandle io;    ///< event for the pipe's overlapped operations
    UniqueHandle stop;  ///< set by the destructor
};

Result<std::unique_ptr<InstanceChannel>> InstanceChannel::listen(
    const std::filesystem::path& socket, std::function<void()> on_raise) {
    const std::string name = socket.string();
    const std::wstring sid = win32::current_user_sid();
    if (sid.empty())
        return make_error("instance.socket",
                          fmt::format("Cannot listen on {}: this user's identity (SID) could not "
                                      "be read: {}.",
                                      name, win32::last_error_text()));
    PipeSecurity security;
    const std::wstring sddl = L"D:P(A;;GA;;;" + sid + L")";
    if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1,
                                                                &security.descriptor, nullptr))
        return make_error("instance.socket",
                          fmt::format("Cannot listen on {}: {}.", name, win32::last_error_text()));
    SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), security.descriptor, FALSE};

    auto listener = std::make_unique<Listener>();
    listener->pipe_name = socket;
    // FILE_FLAG_FIRST_PIPE_INSTANCE and one instance at most: whoever holds the name is the
    // only server; a pipe disappears with its last handle, so nothing stale is left behind.
    listener->pipe.reset(::CreateNamedPipeW(
        socket.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, 64, 64, 0,
        &attributes));
    if (!listener->pipe.valid()) {
        const DWORD error = ::GetLastError();
        return make_error("instance.socket",
                          fmt::format("Cannot listen on {}: {}.{}", name, win32::error_text(error),
                                      error == ERROR_ACCESS_DENIED || error == ERROR_PIPE_BUSY
                                          ? " Another client is listening there."
                                          : ""));
    }
    listener->io = manual_reset_event();
    listener->stop = manual_reset_event();
    if (!listener->io.valid() || !listener->stop.valid())
        return make_error("instance.socket",
                          fmt::format("Cannot listen on {}: {}.", name, win32::last_error_text()));
    return std::unique_ptr<InstanceChannel>(
        new InstanceChannel(std::move(listener), std::move(on_raise)));
}

InstanceChannel::InstanceChannel(std::unique_ptr<Listener> listener, std::function<void()> on_raise)
    : listener_(std::move(listener)), on_raise_(std::move(on_raise)) {
    thread_ = std::thread([this] { serve(); });
}

InstanceChannel::~InstanceChannel() {
    ::SetEvent(listener_->stop.get());
    if (thread_.joinable()) thread_.join();
}

void InstanceChannel::serve() {
    const HANDLE pipe = listener_->pipe.get();
    const HANDLE io = listener_->io.get();
    const HANDLE stop = listener_->stop.get();
    while (true) {
        OVERLAPPED ov{};
        ov.hEvent = io;
        const BOOL started = ::ConnectNamedPipe(pipe, &ov);
        DWORD ignored = 0;
        Wait connected = Wait::done;
        if (started || ::GetLastError() != ERROR_PIPE_CONNECTED)
            connected = complete(pipe, ov, started, stop, INFINITE, ignored);
        if (connected == Wait::stopped) return;
        if (connected == Wait::done) {
            // Bounded: a client that sends nothing cannot hold the channel for long.
            const std::string line = read_line(pipe, io, stop, 64, std::chrono::seconds(1));
            if (line == kRaise) {
                if (on_raise_) on_raise_();
                if (write_all(pipe, io, kDone, std::chrono::seconds(1)))
                    // DisconnectNamedPipe drops what the client has not read yet: wait (a
                    // little) for it to close its end first.
                    (void)read_line(pipe, io, stop, 1, std::chrono::seconds(1));
            }
        } else if (connected == Wait::failed && ::GetLastError() != ERROR_NO_DATA) {
            // ERROR_NO_DATA: a client came and went. Anything else: do not spin on it.
            if (::WaitForSingleObject(stop, 100) == WAIT_OBJECT_0) return;
        }
        ::DisconnectNamedPipe(pipe);
    }
}

Status InstanceChannel::send_raise(const std::filesystem::path& socket,
                                   std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const UniqueHandle event = manual_reset_event();
    std::string last_error = "no answer";
    while (std::chrono::steady_clock::now() < deadline) {
        // SECURITY_IDENTIFICATION: whoever serves the pipe may learn who we are, not act as us.
        UniqueHandle pipe(::CreateFileW(
            socket.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
            FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr));
        if (pipe.valid()) {
            const bool sent = write_all(pipe.get(), event.get(), kRaise, std::chrono::seconds(2));
            const std::string answer =
                sent ? read_line(pipe.get(), event.get(), nullptr, 16, std::chrono::seconds(2))
                     : "";
            if (answer == kDone) return Ok{};
            last_error = "no answer";
        } else {
            const DWORD error = ::GetLastError();
            last_error = win32::error_text(error);
            // Busy: the first instance is answering another start; wait for its turn.
            if (error == ERROR_PIPE_BUSY) ::WaitNamedPipeW(socket.c_str(), 500);
        }
        // The first instance may still be starting: it takes the lock before it listens.
        ::Sleep(50);
    }
    return make_error(
        "instance.unreachable",
        fmt::format("The running client did not answer on {}: {}", socket.string(), last_error));
}

}  // namespace helpline::client
