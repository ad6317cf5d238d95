#include "client/gui/request_page.h"

#include <wx/button.h>
#include <wx/filedlg.h>
#include <wx/panel.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/utils.h>

#include <algorithm>

#include "client/gui/conversation_words.h"
#include "client/gui/i18n.h"
#include "client/gui/requests_view.h"

namespace helpline::gui {
namespace {

const wxColour kProblemColour(0xC6, 0x28, 0x28);

PendingReply pending_of(const client::OutboxEntry& entry) {
    PendingReply p;
    p.key = entry.key;
    p.text = entry.body.is_object() ? entry.body.value("body", "") : "";
    for (const auto& a : entry.attachments) p.files.push_back(a.name);
    return p;
}

}  // namespace

RequestPage::RequestPage(std::int64_t number, const std::string& team, RequestPageActions actions,
                         PickerSetup picker)
    : wxFrame(
          nullptr, wxID_ANY,
          tr("Request {number} \u2014 {team}", fmt::arg("number", number), fmt::arg("team", team))),
      number_(number),
      team_(team),
      actions_(std::move(actions)),
      worker_(std::make_unique<DiskWorker>()) {
    ensure_image_handlers();
    SetName("request-" + std::to_string(number));
    const int pad = FromDIP(14);
    auto* root = new wxPanel(this);
    root_ = root;
    root->SetBackgroundColour(*wxWHITE);
    auto* column = new wxBoxSizer(wxVERTICAL);

    auto* heading =
        new wxStaticText(root, wxID_ANY, tr("Request {number}", fmt::arg("number", number)));
    heading->SetFont(heading->GetFont().Scaled(1.4f).Bold());
    column->Add(heading, 0);
    status_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    status_->SetName("status");
    column->Add(status_, 0, wxTOP, FromDIP(4));

    ConversationView::Actions view_actions;
    view_actions.open = [this](const client::Attachment& a) { open_attachment(a); };
    view_actions.save = [this](const client::Attachment& a) { save_attachment(a); };
    view_ = new ConversationView(root, std::move(view_actions));
    view_->SetMinSize(FromDIP(wxSize(600, 360)));
    column->Add(view_, 1, wxEXPAND | wxTOP, FromDIP(10));

    notice_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    notice_->SetName("notice");
    notice_->SetForegroundColour(kProblemColour);
    column->Add(notice_, 0, wxEXPAND | wxTOP, FromDIP(8));
    notice_->Hide();

    closed_ = new wxStaticText(
        root, wxID_ANY, tr("This request is closed. To ask for more help, send a new request."));
    closed_->SetName("closed");
    column->Add(closed_, 0, wxTOP, FromDIP(10));
    new_request_ = new wxButton(root, wxID_ANY, tr("New request\u2026"));
    new_request_->SetName("new-request");
    column->Add(new_request_, 0, wxTOP, FromDIP(6));
    new_request_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        if (actions_.new_request) actions_.new_request();
    });

    reply_label_ = new wxStaticText(root, wxID_ANY, tr("Your reply"));
    reply_label_->SetFont(reply_label_->GetFont().Bold());
    reply_label_->SetName("reply-label");
    column->Add(reply_label_, 0, wxTOP, FromDIP(10));
    reply_ = new wxTextCtrl(root, wxID_ANY, wxEmptyString, wxDefaultPosition,
                            FromDIP(wxSize(600, 80)), wxTE_MULTILINE);
    reply_->SetName("reply");
    column->Add(reply_, 0, wxEXPAND | wxTOP, FromDIP(4));
    picker_ = new AttachmentPicker(root, std::move(picker));
    column->Add(picker_, 0, wxEXPAND | wxTOP, FromDIP(6));
    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    buttons->AddStretchSpacer();
    auto* close = new wxButton(root, wxID_CLOSE, tr("Close"));
    buttons->Add(close, 0, wxRIGHT, FromDIP(8));
    send_ = new wxButton(root, wxID_ANY, tr("Send reply"));
    send_->SetName("send-reply");
    buttons->Add(send_, 0);
    column->Add(buttons, 0, wxEXPAND | wxTOP, FromDIP(10));
    auto* padding = new wxBoxSizer(wxVERTICAL);
    padding->Add(column, 1, wxEXPAND | wxALL, pad);
    root->SetSizer(padding);
    root->SetDropTarget(new AttachmentDropTarget(picker_));

    auto* frame_sizer = new wxBoxSizer(wxVERTICAL);
    frame_sizer->Add(root, 1, wxEXPAND);
    SetSizerAndFit(frame_sizer);

    picker_->on_changed([this] { root_->Layout(); });
    send_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { send(); });
    close->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { Close(); });
    // The newest message may come into view by scrolling, or by the window coming forward.
    view_->Bind(wxEVT_SCROLLWIN_THUMBRELEASE, [this](wxScrollWinEvent& e) {
        e.Skip();
        CallAfter([this] { maybe_mark_read(); });
    });
    view_->Bind(wxEVT_SCROLLWIN_LINEDOWN, [this](wxScrollWinEvent& e) {
        e.Skip();
        CallAfter([this] { maybe_mark_read(); });
    });
    view_->Bind(wxEVT_SCROLLWIN_PAGEDOWN, [this](wxScrollWinEvent& e) {
        e.Skip();
        CallAfter([this] { maybe_mark_read(); });
    });
    view_->Bind(wxEVT_MOUSEWHEEL, [this](wxMouseEvent& e) {
        e.Skip();
        CallAfter([this] { maybe_mark_read(); });
    });
    Bind(wxEVT_SHOW, [this](wxShowEvent& e) {
        e.Skip();
        if (e.IsShown()) CallAfter([this] { maybe_mark_read(); });
    });
    Bind(wxEVT_ACTIVATE, [this](wxActivateEvent& e) {
        e.Skip();
        if (e.GetActive()) CallAfter([this] { maybe_mark_read(); });
    });
    loading();
    Centre();
}

RequestPage::~RequestPage() {
    worker_.reset();
}

void RequestPage::loading() {
    if (!conversation_) status_->SetLabel(tr("Loading the conversation\u2026"));
    update_reply_area();
}

wxString RequestPage::status_text() const {
    return status_->GetLabel();
}

void RequestPage::notice(const wxString& text) {
    load_problem_shown_ = false;
    notice_words_ = text;
    notice_->SetLabelText(text);
    notice_->Wrap(FromDIP(600));
    notice_->Show(!text.empty());
    root_->Layout();
}

void RequestPage::show_conversation(const client::Conversation& c) {
    conversation_ = c;
    render();
    // A failure to load is over; what was said about a reply stays.
    if (load_problem_shown_) notice({});
}

void RequestPage::load_failed(const Error& error) {
    if (!conversation_) status_->SetLabel(wxEmptyString);
    notice(tr("The conversation could not be loaded: {reason}",
              fmt::arg("reason", std::string(conversation_problem_text(error).utf8_str()))));
    load_problem_shown_ = true;
    update_reply_area();
}

void RequestPage::add_message(const client::Message& message) {
    if (!conversation_) return;  // the page is still loading: the fetch brings it
    for (const auto& m : conversation_->messages)
        if (m.id == message.id) return;
    conversation_->messages.push_back(message);
    std::stable_sort(conversation_->messages.begin(), conversation_->messages.end(),
                     [](const auto& a, const auto& b) { return a.id < b.id; });
    render();
}

void RequestPage::set_status(const std::string& status, const std::string& operator_name) {
    operator_name_ = operator_name;
    if (conversation_) {
        conversation_->status = status;
        status_->SetLabel(
            tr("Status: {status}",
               fmt::arg("status", std::string(status_words(status, operator_name_).utf8_str()))));
        update_reply_area();
    }
}

void RequestPage::set_pending(const std::vector<client::OutboxEntry>& entries) {
    for (const auto& e : entries) {
        if (e.reply_to != number_) continue;
        if (std::none_of(pending_.begin(), pending_.end(),
                         [&](const auto& p) { return p.key == e.key; })) {
            PendingReply p = pending_of(e);
            p.waiting = true;
            pending_.push_back(std::move(p));
        }
    }
    if (conversation_) render();
}

void RequestPage::render() {
    const auto& c = *conversation_;
    status_->SetLabel(
        tr("Status: {status}",
           fmt::arg("status", std::string(status_words(c.status, operator_name_).utf8_str()))));
    view_->show(c, pending_);
    want_images();
    update_reply_area();
    CallAfter([this] { maybe_mark_read(); });
}

void RequestPage::update_reply_area() {
    const bool known = conversation_.has_value();
    const bool accepts = known && conversation_->accepts_replies();
    closed_->Show(known && !accepts);
    new_request_->Show(known && !accepts && static_cast<bool>(actions_.new_request));
    // A closed request takes no reply: the box goes, the way to a new request stays.
    reply_label_->Show(!known || accepts);
    reply_->Show(!known || accepts);
    picker_->Show(!known || accepts);
    send_->Show(!known || accepts);
    reply_->Enable(accepts && !saving_reply_);
    send_->Enable(accepts && !saving_reply_);
    picker_->enable_buttons(accepts && !saving_reply_);
    root_->Layout();
}

void RequestPage::maybe_mark_read() {
    if (!conversation_ || !IsShownOnScreen() || IsIconized()) return;
    const std::int64_t newest = conversation_->newest_message_id();
    if (newest <= 0 || newest <= std::max(marked_read_, conversation_->read_message_id)) return;
    if (!view_->shows_newest()) return;
    marked_read_ = newest;
    if (actions_.mark_read) actions_.mark_read(number_, newest);
}

void RequestPage::want_images() {
    if (!actions_.fetch) return;
    std::vector<client::Attachment> all = conversation_->attachments;
    for (const auto& m : conversation_->messages)
        all.insert(all.end(), m.attachments.begin(), m.attachments.end());
    for (const auto& a : all) {
        if (!a.image || a.removed || images_wanted_.count(a.id) != 0) continue;
        images_wanted_.insert(a.id);
        const std::int64_t id = a.id;
        actions_.fetch(
            a, [this, alive = alive_.watch(), id](const Result<std::filesystem::path>& file) {
                if (!alive.lock()) return;
                if (!file) {
                    images_wanted_.erase(id);  // tried again with the next render
                    return;
                }
                worker_->post([this, alive, id, path = *file] {
                    auto thumbnail = thumbnail_of_file(path, kThumbnailSize);
                    post_if_alive(alive, [this, id, thumbnail = std::move(thumbnail)] {
                        if (thumbnail) view_->set_thumbnail(id, to_bitmap(*thumbnail));
                    });
                });
            });
    }
}

void RequestPage::open_attachment(const client::Attachment& a) {
    if (!actions_.fetch) return;
    actions_.fetch(a, [this, alive = alive_.watch()](const Result<std::filesystem::path>& file) {
        if (!alive.lock()) return;
        if (!file) {
            notice(conversation_problem_text(file.error()));
            return;
        }
        wxLaunchDefaultApplication(wxString::FromUTF8(file->string()));
    });
}

void RequestPage::save_attachment(const client::Attachment& a) {
    if (!actions_.save) return;
    wxFileDialog dialog(this, tr("Save \u201c{name}\u201d", fmt::arg("name", a.name)),
                        wxEmptyString, wxString::FromUTF8(a.name), wxFileSelectorDefaultWildcardStr,
                        wxFD_SAVE | wxFD_OVERWRITE_PROMPT);
    if (dialog.ShowModal() != wxID_OK) return;
    const std::filesystem::path target(std::string(dialog.GetPath().utf8_str()));
    const std::string name = a.name;
    actions_.save(a, target, [this, alive = alive_.watch(), name](const Status& saved) {
        if (!alive.lock()) return;
        if (!saved) {
            notice(conversation_problem_text(saved.error()));
            return;
        }
        notice_->SetForegroundColour(wxColour(0x2E, 0x7D, 0x32));
        notice(tr("\u201c{name}\u201d is saved.", fmt::arg("name", name)));
        notice_->SetForegroundColour(kProblemColour);
    });
}

void RequestPage::press_send() {
    send();
}

void RequestPage::send() {
    if (saving_reply_ || !conversation_ || !conversation_->accepts_replies()) return;
    const auto files = picker_->check_for_sending();
    if (!files) return;
    const wxString text = reply_->GetValue();
    if (const wxString problem = reply_problem_text(text, !files->empty()); !problem.empty()) {
        notice(problem);
        reply_->SetFocus();
        return;
    }
    notice({});
    saving_reply_ = true;
    send_->SetLabel(tr("Sending\u2026"));
    update_reply_area();
    if (actions_.reply) actions_.reply(number_, std::string(text.utf8_str()), *files);
}

void RequestPage::reply_saved(const client::OutboxEntry& entry) {
    saving_reply_ = false;
    send_->SetLabel(tr("Send reply"));
    reply_->Clear();
    picker_->clear();  // the outbox has copies: screenshots taken here go
    pending_.push_back(pending_of(entry));
    if (conversation_) render();
    update_reply_area();
}

void RequestPage::reply_not_saved(const Error& error) {
    saving_reply_ = false;
    send_->SetLabel(tr("Send reply"));
    notice(tr("Your reply could not be saved on this computer. The log (see About) says why."));
    (void)error;
    update_reply_area();
}

void RequestPage::reply_attempted(const client::OutboxEntry& entry,
                                  const client::Delivery& delivery) {
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [&](const auto& p) { return p.key == entry.key; });
    if (it == pending_.end()) {
        pending_.push_back(pending_of(entry));
        it = pending_.end() - 1;
    }
    switch (delivery.state) {
        case client::Delivery::State::delivered:
            pending_.erase(it);
            for (const auto& f : delivery.files)
                if (f.id <= 0)
                    notice(tr(
                        "\u201c{name}\u201d was not attached: the support server did not take it. "
                        "The log (see About) says why.",
                        fmt::arg("name", f.name)));
            if (actions_.reload) actions_.reload(number_);  // the conversation now has it
            return;
        case client::Delivery::State::refused: {
            // Nothing is lost: the text comes back into the box, and the server says why
            // (a closed request: in its own words, which say to send a new request).
            const std::string text = it->text;
            pending_.erase(it);
            if (reply_->IsEmpty()) reply_->ChangeValue(wxString::FromUTF8(text));
            notice(delivery.detail.empty() ? tr("The support server did not accept your reply. The "
                                                "log (see About) says why.")
                                           : wxString::FromUTF8(delivery.detail));
            if (actions_.reload) actions_.reload(number_);
            if (conversation_) render();
            return;
        }
        case client::Delivery::State::pending:
            it->waiting = true;
            if (conversation_) render();
            return;
    }
}

}  // namespace helpline::gui
