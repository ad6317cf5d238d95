#pragma once
// A ticket's conversation as the customer reads it: the request's description first (with
// the files that came with it), then the messages, oldest at the top and newest at the
// bottom — each with its author ("You", or the operator's name) and its time in the
// customer's language — and last the customer's replies still waiting to be sent. Images
// show as thumbnails (a click opens them full size), other files as name and size with
// Save. It only shows what it is given; the RequestPage fetches and saves.

#include <wx/bitmap.h>
#include <wx/scrolwin.h>
#include <wx/sizer.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "client/core/conversation.h"

namespace helpline::gui {

/// A reply saved in the outbox and not yet on the server.
struct PendingReply {
    std::string key;
    std::string text;
    std::vector<std::string> files;
    bool waiting = false;  ///< false: being sent; true: the server cannot be reached now
};

/// What one entry of the view shows (tests read it).
struct ShownEntry {
    wxString author;
    wxString time;
    wxString body;
    std::vector<wxString> files;  ///< "name (size)"
    bool from_team = false;
    bool pending = false;
};

class ConversationView : public wxScrolledWindow {
  public:
    struct Actions {
        std::function<void(const client::Attachment&)> open;  ///< an image, full size
        std::function<void(const client::Attachment&)> save;
    };
    ConversationView(wxWindow* parent, Actions actions);

    void show(const client::Conversation& conversation, const std::vector<PendingReply>& pending);
    /// A picture for an image attachment (downloaded and scaled by the page).
    void set_thumbnail(std::int64_t attachment_id, const wxBitmap& bitmap);
    bool has_thumbnail(std::int64_t attachment_id) const;
    /// Whether the newest entry is in view (the page marks the conversation read then).
    bool shows_newest() const;
    void scroll_to_newest();

    const std::vector<ShownEntry>& entries() const { return entries_; }

  private:
    void add_entry(ShownEntry entry, const std::vector<client::Attachment>& files);
    wxWindow* attachment_tile(wxWindow* parent, const client::Attachment& a);

    Actions actions_;
    wxBoxSizer* column_ = nullptr;
    std::vector<ShownEntry> entries_;
    std::map<std::int64_t, wxBitmap> thumbnails_;
    std::map<std::int64_t, wxWindow*> image_windows_;  ///< attachment id -> its picture
    std::chrono::system_clock::time_point now_;
    bool follow_ = true;  ///< keep the newest entry in view
};

}  // namespace helpline::gui
