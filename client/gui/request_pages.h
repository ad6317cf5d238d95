#pragma once
// The GUI's side of conversations, for the Client: one RequestPage per ticket the customer
// opened, fed from the core — the conversation (fetch_conversation on the device link's
// worker), the read mark (mark_read, then MyRequests::note_read so My requests drops the
// count), the files (download_attachment into the cache folder, or where the customer
// saves them, on a transfer thread of its own with a copy of the registered ApiClient: a
// 20 MiB download must not hold up the link), replies (Outbox::add_reply on the disk
// worker, then the background sender), and the device's events: a team message
// (`ticket-message`) is added to its page at once and raises a desktop notification unless
// that page is the window in front; `ticket-updated` changes the page's status.
// Main thread only; what comes back from threads goes through post_if_alive.

#include <wx/toplevel.h>
#include <wx/weakref.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/core/api_client.h"
#include "client/core/attachment_limits.h"
#include "client/core/event_stream.h"
#include "client/core/outbox.h"
#include "client/gui/disk_worker.h"
#include "client/gui/main_loop.h"
#include "client/gui/request_page.h"

namespace helpline::gui {

struct RequestPagesSetup {
    std::string team;  ///< the brand's name in the customer's language
    std::string profile_id;
    client::AttachmentLimits limits;
    const client::Outbox* outbox = nullptr;
    /// A short job with the registered ApiClient, on the device link's worker.
    std::function<void(std::function<void(const client::ApiClient&)>)> post;
    /// A copy of the registered ApiClient (transfers), or nullopt while not registered.
    std::function<std::optional<client::ApiClient>()> api;
    /// A job on the Client's disk worker (the outbox).
    std::function<void(std::function<void()>)> disk;
    /// Wakes the outbox's background sender.
    std::function<void()> poke;
    /// The customer has read ticket `number` (MyRequests::note_read).
    std::function<void(std::int64_t number)> read;
    /// The status and operator My requests knows for a ticket.
    std::function<std::pair<std::string, std::string>(std::int64_t number)> status_of;
    /// News for the customer: a line in the main window and, when `notify`, a notification.
    std::function<void(const wxString& text, bool notify)> notice;
    std::function<void(const std::string&)> log;
    /// The client's other windows (hidden for a screenshot).
    std::function<std::vector<wxTopLevelWindow*>()> windows;
    std::function<void()> new_request;
    CaptureTiming capture_timing;
};

class RequestPages {
  public:
    explicit RequestPages(RequestPagesSetup setup);
    /// Closes the pages (a reply being saved is saved: the disk worker finishes it).
    ~RequestPages();
    RequestPages(const RequestPages&) = delete;
    RequestPages& operator=(const RequestPages&) = delete;

    /// Opens ticket `number`'s page (or brings the open one forward) and loads it.
    RequestPage* open(std::int64_t number);
    RequestPage* page(std::int64_t number) const;
    std::vector<wxTopLevelWindow*> windows() const;

    void on_event(const client::DeviceEvent& event);
    /// The background sender's news about a reply (entry.is_reply()).
    void attempted(const client::OutboxEntry& entry, const client::Delivery& delivery);
    /// The link is (again) connected: pages that could not load try again.
    void connected();

  private:
    void load(std::int64_t number);
    void loaded(std::int64_t number, const Result<client::Conversation>& conversation);
    void mark_read(std::int64_t number, std::int64_t message_id);
    void fetch(const client::Attachment& a,
               std::function<void(const Result<std::filesystem::path>&)> done);
    void save(const client::Attachment& a, const std::filesystem::path& target,
              std::function<void(const Status&)> done);
    void reply(std::int64_t number, const std::string& text,
               const std::vector<client::AttachmentFile>& files);
    void team_message(const client::TicketMessage& m);

    RequestPagesSetup setup_;
    std::map<std::int64_t, wxWeakRef<RequestPage>> pages_;
    std::map<std::int64_t, bool> failed_;  ///< pages whose last load failed
    std::unique_ptr<DiskWorker> transfers_;
    AliveToken alive_;
};

}  // namespace helpline::gui
