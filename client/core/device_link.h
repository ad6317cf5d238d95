#pragma once
// The GUI's link to its team server, kept up by one worker thread with its own ApiClient:
// it registers the device (again and again with backoff while the server cannot be
// reached), checks once for a profile update (cached for the next start: "close and reopen
// to see the new groups"), keeps the event stream open, keeps MyRequests current (a
// refresh on connect and when a ticket-updated event names an unknown ticket), and runs
// small one-off requests (a decline) off the caller's thread.
//
// Callbacks run on the link's or the stream's thread, never under the link's lock: the GUI
// posts them to its main loop. No wx here.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "client/core/api_client.h"
#include "client/core/brand.h"
#include "client/core/event_stream.h"
#include "client/core/my_requests.h"
#include "client/core/paths.h"

namespace helpline::client {

/// What the customer is told about the connection.
enum class LinkState {
    connecting,  ///< before the first answer
    connected,   ///< the event stream is open: requests and connection requests flow
    offline,     ///< the server cannot be reached (or refuses): retrying
    stopped,
};

struct LinkStatus {
    LinkState state = LinkState::connecting;
    std::string reason;  ///< offline: why, for the log and a tooltip
};

struct DeviceLinkOptions {
    std::string client_version;
    /// Registration retries while offline.
    std::chrono::milliseconds register_base{1'000};
    std::chrono::milliseconds register_cap{30'000};
    /// Passed to the event stream (tests shorten the reconnect backoff).
    std::chrono::milliseconds stream_backoff_base{500};
    std::chrono::milliseconds stream_backoff_cap{30'000};
};

struct DeviceLinkCallbacks {
    std::function<void(const LinkStatus&)> on_status;
    /// Every event of the stream (ticket-updated is already applied to MyRequests).
    std::function<void(const DeviceEvent&)> on_event;
    /// The device is registered: `api` carries its token (a copy for the caller's own use).
    std::function<void(const ApiClient& api)> on_registered;
    std::function<void(const std::string&)> on_log;
};

class DeviceLink {
  public:
    /// `brand` is the profile in force; `requests` is shared with the window that shows it.
    DeviceLink(Brand brand, ClientPaths paths, MyRequests& requests, DeviceLinkOptions options,
               DeviceLinkCallbacks callbacks);
    ~DeviceLink();  ///< stop()
    DeviceLink(const DeviceLink&) = delete;
    DeviceLink& operator=(const DeviceLink&) = delete;

    void start();
    /// Stops the stream and the worker (promptly: a request under way finishes first).
    void stop();

    /// Loads MyRequests again from the server (on the worker, when registered).
    void refresh_requests();
    /// Runs `job` on the worker with the registered ApiClient (dropped if never registered
    /// before stop()). For short requests: the worker does nothing else meanwhile.
    void post(std::function<void(const ApiClient&)> job);
    /// A copy of the registered ApiClient (for a thread of the caller's own), or nullopt.
    std::optional<ApiClient> api() const;

  private:
    void run();
    bool register_device();
    void on_stream_event(const DeviceEvent& event);
    void on_stream_status(const StreamStatus& status);
    void report(LinkStatus status);
    void log(const std::string& line) const;
    /// Waits up to `delay` or until stop(); false when stopping.
    bool wait(std::chrono::milliseconds delay);

    Brand brand_;
    ClientPaths paths_;
    MyRequests& requests_;
    DeviceLinkOptions options_;
    DeviceLinkCallbacks callbacks_;
    ApiClient api_;  // worker only, until registered; then copied under mutex_
    std::unique_ptr<EventStream> stream_;  // created and stopped by the worker

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool refresh_wanted_ = false;
    std::deque<std::function<void(const ApiClient&)>> jobs_;
    std::optional<ApiClient> registered_;
    std::thread worker_;
};

}  // namespace helpline::client
