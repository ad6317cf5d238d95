#include "client/gui/conversation_view.h"

#include <wx/artprov.h>
#include <wx/button.h>
#include <wx/panel.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/wrapsizer.h>

#include "client/gui/conversation_words.h"
#include "client/gui/i18n.h"

namespace helpline::gui {
namespace {

const wxColour kTeamBackground(0xE8, 0xF1, 0xFB);
const wxColour kCustomerBackground(0xF2, 0xF2, 0xF2);
const wxColour kPendingBackground(0xFF, 0xF6, 0xE0);
const wxColour kQuietColour(0x66, 0x66, 0x66);
constexpr int kTextWidth = 480;  // DIPs: where a message's text wraps
constexpr int kLean = 36;        // DIPs: how far a bubble leans to its side

}  // namespace

ConversationView::ConversationView(wxWindow* parent, Actions actions)
    : wxScrolledWindow(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxVSCROLL),
      actions_(std::move(actions)) {
    SetName("conversation");
    SetBackgroundColour(*wxWHITE);
    SetScrollRate(0, FromDIP(12));
    column_ = new wxBoxSizer(wxVERTICAL);
    SetSizer(column_);
    // While the newest entry is in view it stays there (a thumbnail arriving, the window
    // growing); once the customer scrolls up to read, the view stays where they put it.
    const auto after_scroll = [this](wxScrollWinEvent& e) {
        e.Skip();
        CallAfter([this] { follow_ = shows_newest(); });
    };
    Bind(wxEVT_SCROLLWIN_THUMBTRACK, after_scroll);
    Bind(wxEVT_SCROLLWIN_THUMBRELEASE, after_scroll);
    Bind(wxEVT_SCROLLWIN_LINEUP, after_scroll);
    Bind(wxEVT_SCROLLWIN_LINEDOWN, after_scroll);
    Bind(wxEVT_SCROLLWIN_PAGEUP, after_scroll);
    Bind(wxEVT_SCROLLWIN_PAGEDOWN, after_scroll);
    Bind(wxEVT_MOUSEWHEEL, [this](wxMouseEvent& e) {
        e.Skip();
        CallAfter([this] { follow_ = shows_newest(); });
    });
    Bind(wxEVT_SIZE, [this](wxSizeEvent& e) {
        e.Skip();
        if (follow_) CallAfter([this] { scroll_to_newest(); });
    });
}

void ConversationView::show(const client::Conversation& c,
                            const std::vector<PendingReply>& pending) {
    Freeze();
    column_->Clear(/*delete_windows=*/true);
    image_windows_.clear();
    entries_.clear();
    now_ = std::chrono::system_clock::now();

    ShownEntry first;
    first.author = tr("You");
    first.time = time_words(c.created_at, now_);
    first.body = wxString::FromUTF8(c.description);
    add_entry(std::move(first), c.attachments);
    for (const auto& m : c.messages) {
        ShownEntry e;
        e.author = author_words(m);
        e.time = time_words(m.created_at, now_);
        e.body = wxString::FromUTF8(m.body);
        e.from_team = m.from_team();
        add_entry(std::move(e), m.attachments);
    }
    for (const auto& p : pending) {
        ShownEntry e;
        e.author = tr("You");
        e.time = p.waiting ? tr("Not sent yet: it will be sent when the connection is back")
                           : tr("Sending\u2026");
        e.body = wxString::FromUTF8(p.text);
        e.pending = true;
        for (const auto& f : p.files) e.files.push_back(wxString::FromUTF8(f));
        add_entry(std::move(e), {});
    }
    Thaw();
    FitInside();
    Layout();
    follow_ = true;
    scroll_to_newest();
    // Once laid out on screen the virtual size is final: the newest entry is shown then too.
    CallAfter([this] {
        if (follow_) scroll_to_newest();
    });
}

void ConversationView::add_entry(ShownEntry entry, const std::vector<client::Attachment>& files) {
    auto* bubble = new wxPanel(this);
    bubble->SetName(entry.pending     ? "pending"
                    : entry.from_team ? "team-message"
                                      : "customer-message");
    bubble->SetBackgroundColour(entry.pending     ? kPendingBackground
                                : entry.from_team ? kTeamBackground
                                                  : kCustomerBackground);
    auto* inner = new wxBoxSizer(wxVERTICAL);
    auto* header = new wxBoxSizer(wxHORIZONTAL);
    auto* author = new wxStaticText(bubble, wxID_ANY, entry.author);
    author->SetFont(author->GetFont().Bold());
    author->SetName("author");
    header->Add(author, 0, wxALIGN_BOTTOM);
    auto* time = new wxStaticText(bubble, wxID_ANY, entry.time);
    time->SetForegroundColour(kQuietColour);
    time->SetName("time");
    header->Add(time, 0, wxLEFT | wxALIGN_BOTTOM, FromDIP(10));
    inner->Add(header, 0, wxBOTTOM, FromDIP(4));
    if (!entry.body.empty()) {
        auto* body = new wxStaticText(bubble, wxID_ANY, wxEmptyString);
        body->SetLabelText(entry.body);  // an '&' is a character, not a mnemonic
        body->Wrap(FromDIP(kTextWidth));
        body->SetName("body");
        inner->Add(body, 0, wxEXPAND);
    }
    if (!files.empty()) {
        auto* tiles = new wxWrapSizer(wxHORIZONTAL);
        for (const auto& a : files) {
            tiles->Add(attachment_tile(bubble, a), 0, wxRIGHT | wxTOP, FromDIP(8));
            entry.files.push_back(wxString::FromUTF8(a.name) + " (" + size_words(a.size) + ")");
        }
        inner->Add(tiles, 0, wxEXPAND);
    } else if (!entry.files.empty()) {
        for (const auto& name : entry.files) {
            auto* line = new wxStaticText(bubble, wxID_ANY, name);
            line->SetForegroundColour(kQuietColour);
            inner->Add(line, 0, wxTOP, FromDIP(2));
        }
    }
    auto* padding = new wxBoxSizer(wxVERTICAL);
    padding->Add(inner, 1, wxEXPAND | wxALL, FromDIP(10));
    bubble->SetSizer(padding);
    // The customer's words lean right, the team's left, as in a chat.
    auto* lean = new wxBoxSizer(wxHORIZONTAL);
    if (!entry.from_team) lean->AddSpacer(FromDIP(kLean));
    lean->Add(bubble, 1, wxEXPAND);
    if (entry.from_team) lean->AddSpacer(FromDIP(kLean));
    column_->Add(lean, 0, wxEXPAND | wxALL, FromDIP(6));
    entries_.push_back(std::move(entry));
}

wxWindow* ConversationView::attachment_tile(wxWindow* parent, const client::Attachment& a) {
    auto* tile = new wxPanel(parent);
    tile->SetName("attachment-" + std::to_string(a.id));
    auto* row = new wxBoxSizer(wxHORIZONTAL);
    const bool picture = a.image && !a.removed;
    const auto thumb = thumbnails_.find(a.id);
    const wxBitmapBundle bundle =
        picture && thumb != thumbnails_.end()
            ? wxBitmapBundle(thumb->second)
            : wxArtProvider::GetBitmapBundle(picture ? wxART_MISSING_IMAGE : wxART_NORMAL_FILE,
                                             wxART_OTHER, wxSize(32, 32));
    auto* image = new wxStaticBitmap(tile, wxID_ANY, bundle);
    image->SetName(picture && thumb != thumbnails_.end() ? "thumbnail" : "file-icon");
    row->Add(image, 0, wxALIGN_CENTER_VERTICAL);
    if (picture) {
        image_windows_[a.id] = image;
        image->SetCursor(wxCursor(wxCURSOR_HAND));
        image->SetToolTip(tr("Open the picture full size"));
        image->Bind(wxEVT_LEFT_UP, [this, a](wxMouseEvent&) {
            if (actions_.open) actions_.open(a);
        });
    }
    auto* words = new wxBoxSizer(wxVERTICAL);
    auto* name = new wxStaticText(tile, wxID_ANY, wxEmptyString);
    name->SetLabelText(wxString::FromUTF8(a.name));
    name->SetName("name");
    words->Add(name, 0);
    const std::string size = std::string(size_words(a.size).utf8_str());
    auto* size_label =
        new wxStaticText(tile, wxID_ANY,
                         a.removed ? tr("{size}, removed from the server", fmt::arg("size", size))
                                   : wxString::FromUTF8(size));
    size_label->SetForegroundColour(kQuietColour);
    words->Add(size_label, 0);
    if (!a.removed) {
        auto* save = new wxButton(tile, wxID_ANY, tr("Save\u2026"), wxDefaultPosition,
                                  wxDefaultSize, wxBU_EXACTFIT);
        save->SetName("save");
        save->SetToolTip(tr("Save \u201c{name}\u201d on this computer", fmt::arg("name", a.name)));
        save->Bind(wxEVT_BUTTON, [this, a](wxCommandEvent&) {
            if (actions_.save) actions_.save(a);
        });
        words->Add(save, 0, wxTOP, FromDIP(2));
    }
    row->Add(words, 0, wxLEFT | wxALIGN_CENTER_VERTICAL, FromDIP(6));
    tile->SetSizer(row);
    return tile;
}

void ConversationView::set_thumbnail(std::int64_t id, const wxBitmap& bitmap) {
    if (!bitmap.IsOk()) return;
    thumbnails_[id] = bitmap;
    const auto it = image_windows_.find(id);
    if (it == image_windows_.end()) return;
    auto* image = static_cast<wxStaticBitmap*>(it->second);
    image->SetBitmap(wxBitmapBundle(bitmap));
    image->SetName("thumbnail");
    for (wxWindow* w = image->GetParent(); w != nullptr && w != this; w = w->GetParent())
        w->Layout();
    FitInside();
    Layout();
    if (follow_) scroll_to_newest();
}

bool ConversationView::has_thumbnail(std::int64_t id) const {
    return thumbnails_.count(id) != 0 && image_windows_.count(id) != 0 &&
           image_windows_.at(id)->GetName() == "thumbnail";
}

bool ConversationView::shows_newest() const {
    int unit_x = 0, unit_y = 0;
    GetScrollPixelsPerUnit(&unit_x, &unit_y);
    const int top = GetViewStart().y * std::max(unit_y, 1);
    return top + GetClientSize().y + std::max(unit_y, 1) >= GetVirtualSize().y;
}

void ConversationView::scroll_to_newest() {
    int unit_x = 0, unit_y = 0;
    GetScrollPixelsPerUnit(&unit_x, &unit_y);
    if (unit_y > 0) Scroll(-1, GetVirtualSize().y / unit_y + 1);
}

}  // namespace helpline::gui
