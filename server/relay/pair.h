#pragma once
// One session's relay: the two pipes that join its sides, what each side has done, and the
// registry's shared core that guards them. Internal to server/relay.

#include <deque>
#include <variant>

#include "server/http/byte_pipe.h"
#include "server/relay/registry.h"

namespace helpline::server::relay {

struct Pair {
    enum class State {
        waiting,  ///< not both sides connected yet
        paired,   ///< both connected
        closing,  ///< a side ended, or the relay was ended: the rest is closing
        ended     ///< every claimed side has closed; the hook is due
    };
    struct SideState {
        bool claimed = false;
        bool opened = false;
        bool closed = false;
    };

    Pair(std::string id, std::size_t buffer_size, Registry::Clock::time_point now)
        : session_id(std::move(id)),
          to_viewer(buffer_size),
          to_customer(buffer_size),
          created(now),
          last_activity(now) {}

    SideState& side(Side s) { return s == Side::customer ? customer : viewer; }
    Counts counts() const { return {to_viewer.delivered(), to_customer.delivered()}; }
    /// Every side that was claimed has closed.
    bool done() const {
        return (!customer.claimed || customer.closed) && (!viewer.claimed || viewer.closed);
    }

    const std::string session_id;
    http::BytePipe to_viewer;
    http::BytePipe to_customer;
    SideState customer;
    SideState viewer;
    State state = State::waiting;
    std::optional<EndReason> reason;  ///< the first cause of the end
    bool was_paired = false;
    Registry::Clock::time_point created;
    Registry::Clock::time_point last_activity;  ///< as last seen by expire()
    std::uint64_t last_total = 0;               ///< bytes delivered, as last seen by expire()
    Registry::Clock::time_point closing_since{};
    /// Ended and its hook has run: when expire() forgets it (its counts are kept until then).
    std::optional<Registry::Clock::time_point> forget_at;
};

using Notification = std::variant<Started, Ended>;

struct Registry::Core {
    Core(Options o, std::function<Clock::time_point()> clock) : options(o), now(std::move(clock)) {}

    /// A side's connection opened or closed (from the connection's thread).
    void opened(const std::shared_ptr<Pair>& pair, Side side);
    void closed(const std::shared_ptr<Pair>& pair, Side side);
    /// Under the lock: the pair enters closing (with `reason` if it has none yet).
    void begin_closing(Pair& pair, EndReason reason);
    /// Under the lock: moves a done pair to ended and queues its hook.
    void settle(const std::shared_ptr<Pair>& pair);
    /// Under the lock: deadlines may have changed; the thread looks again.
    void changed();

    const Options options;
    const std::function<Clock::time_point()> now;
    mutable std::mutex mutex;
    std::condition_variable wake;
    std::map<std::string, std::shared_ptr<Pair>, std::less<>> pairs;
    std::deque<Notification> queue;
    std::function<void(const Started&)> on_started;
    std::function<void(const Ended&)> on_ended;
    bool stopping = false;
    bool dirty = false;  ///< set by changed(), cleared by the thread
};

/// One side of a pair as its connection sees it.
class Endpoint : public http::ByteChannel {
  public:
    Endpoint(std::shared_ptr<Pair> pair, Side side, std::weak_ptr<Registry::Core> core)
        : pair_(std::move(pair)), side_(side), core_(std::move(core)) {}
    ~Endpoint() override;  ///< a connection that never came still counts as closed

    http::BytePipe& inbound() override;
    http::BytePipe& outbound() override;
    void opened() override;
    void closed() override;
    http::CloseStatus close_status() const override;

  private:
    std::shared_ptr<Pair> pair_;
    const Side side_;
    std::weak_ptr<Registry::Core> core_;
    std::atomic<bool> closed_{false};
};

}  // namespace helpline::server::relay
