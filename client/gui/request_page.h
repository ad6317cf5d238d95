#pragma once
// My requests → one request's page: its status, the conversation (ConversationView), and a
// box to reply with files (AttachmentPicker). It shows what the Client gives it and asks the
// Client for everything that needs the network or the outbox (RequestPageActions): the
// conversation, the read mark once the newest message is on screen, the files, a reply
// (saved in the outbox, then sent exactly once). New team messages are added live. A closed
// request takes no reply (unless the team lets replies reopen it); a refusal the server
// gives for one anyway is shown in the server's own words.

#include <wx/frame.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/core/attachment_limits.h"
#include "client/core/conversation.h"
#include "client/core/outbox.h"
#include "client/gui/attachment_picker.h"
#include "client/gui/conversation_view.h"
#include "client/gui/disk_worker.h"
#include "client/gui/main_loop.h"
#include "shared/result.h"

class wxButton;
class wxStaticText;
class wxTextCtrl;

namespace helpline::gui {

struct RequestPageActions {
    /// Fetch the conversation again; the answer comes to show_conversation / load_failed.
    std::function<void(std::int64_t number)> reload;
    /// The customer has seen the conversation up to `message_id`.
    std::function<void(std::int64_t number, std::int64_t message_id)> mark_read;
    /// The attachment's bytes in the cache: `done` gets the file (main thread).
    std::function<void(const client::Attachment&,
                       std::function<void(const Result<std::filesystem::path>&)> done)>
        fetch;
    /// Saves the attachment to `target`: `done` gets how it went (main thread).
    std::function<void(const client::Attachment&, const std::filesystem::path& target,
                       std::function<void(const Status&)> done)>
        save;
    /// Saves a reply in the outbox; the Client answers with reply_saved / reply_not_saved.
    std::function<void(std::int64_t number, const std::string& text,
                       const std::vector<client::AttachmentFile>& files)>
        reply;
    /// Opens the Assistance form (a closed request: "send a new request").
    std::function<void()> new_request;
};

class RequestPage : public wxFrame {
  public:
    RequestPage(std::int64_t number, const std::string& team, RequestPageActions actions,
                PickerSetup picker);
    ~RequestPage() override;

    std::int64_t number() const { return number_; }

    void loading();
    void show_conversation(const client::Conversation& conversation);
    void load_failed(const Error& error);
    /// A team message that arrived live (an event); the conversation must be shown already.
    void add_message(const client::Message& message);
    /// A ticket-updated event.
    void set_status(const std::string& status, const std::string& operator_name);
    /// Replies of this ticket still in the outbox (from an earlier run, or another program).
    void set_pending(const std::vector<client::OutboxEntry>& entries);

    /// The reply is saved in the outbox under `key` (the box is emptied).
    void reply_saved(const client::OutboxEntry& entry);
    void reply_not_saved(const Error& error);
    /// How the background sender's attempt at a reply of this page went.
    void reply_attempted(const client::OutboxEntry& entry, const client::Delivery& delivery);

    /// Fills the reply box and presses Send (tests, screenshots).
    void press_send();
    wxTextCtrl* reply_box() const { return reply_; }
    wxButton* send_button() const { return send_; }
    AttachmentPicker* attachments() const { return picker_; }
    ConversationView* view() const { return view_; }
    const std::optional<client::Conversation>& conversation() const { return conversation_; }
    wxString status_text() const;
    /// The line above the reply box (a refusal, a problem), as shown.
    wxString notice_text() const { return notice_words_; }
    /// The newest message this page asked to mark read.
    std::int64_t marked_read() const { return marked_read_; }

  private:
    void render();
    void update_reply_area();
    void send();
    void notice(const wxString& text);
    void maybe_mark_read();
    void want_images();
    void open_attachment(const client::Attachment& a);
    void save_attachment(const client::Attachment& a);

    std::int64_t number_;
    std::string team_;
    RequestPageActions actions_;
    std::optional<client::Conversation> conversation_;
    std::string operator_name_;
    std::vector<PendingReply> pending_;
    std::int64_t marked_read_ = 0;
    std::set<std::int64_t> images_wanted_;
    bool saving_reply_ = false;
    bool load_problem_shown_ = false;  ///< the notice says the conversation did not load

    wxWindow* root_ = nullptr;
    wxStaticText* status_ = nullptr;
    ConversationView* view_ = nullptr;
    wxStaticText* notice_ = nullptr;
    wxString notice_words_;
    wxStaticText* closed_ = nullptr;
    wxButton* new_request_ = nullptr;
    wxStaticText* reply_label_ = nullptr;
    wxTextCtrl* reply_ = nullptr;
    AttachmentPicker* picker_ = nullptr;
    wxButton* send_ = nullptr;
    std::unique_ptr<DiskWorker> worker_;  ///< thumbnails
    AliveToken alive_;
};

}  // namespace helpline::gui
