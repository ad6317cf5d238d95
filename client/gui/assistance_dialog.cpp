#include "client/gui/assistance_dialog.h"

#include <wx/button.h>
#include <wx/choice.h>
#include <wx/clipbrd.h>
#include <wx/display.h>
#include <wx/panel.h>
#include <wx/radiobut.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include "client/gui/error_text.h"
#include "client/gui/i18n.h"

namespace helpline::gui {
namespace {

const wxColour kProblemColour(0xC6, 0x28, 0x28);

std::string trimmed(const wxString& text) {
    std::string s(text.utf8_str());
    const auto start = s.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) return {};
    return s.substr(start, s.find_last_not_of(" \t\r\n") - start + 1);
}

/// Characters as prepare_ticket() counts them: code points (wxString holds UTF-32 here).
std::size_t characters(const wxString& text) {
    return text.length();
}

}  // namespace

wxString field_problem_text(const client::FieldProblem& problem, const client::TicketDraft& draft,
                            const Profile& profile) {
    const auto& f = problem.field;
    const auto limit = profile.assistance.max_description;
    if (f == "email") {
        if (trimmed(wxString::FromUTF8(draft.email)).empty())
            return tr("Please enter your email address: the support team answers you there.");
        return tr("\u201c{email}\u201d is not a valid email address (like name@example.com).",
                  fmt::arg("email", trimmed(wxString::FromUTF8(draft.email))));
    }
    if (f == "description") {
        const wxString text = wxString::FromUTF8(trimmed(wxString::FromUTF8(draft.description)));
        if (text.empty()) return tr("Please describe the problem.");
        if (characters(text) > static_cast<std::size_t>(limit))
            return tr("Too long: at most {max} characters, this one has {count}.",
                      fmt::arg("max", limit), fmt::arg("count", characters(text)));
    }
    if (f == "group_id") return tr("Please choose a group.");
    if (f == "subject") {
        if (trimmed(wxString::FromUTF8(draft.subject)).empty())
            return tr("Please enter a subject: a few words about the problem.");
        return tr("The subject is too long.");
    }
    if (f == "priority") return tr("Please choose a priority.");
    // A field or a rule this client does not know (a newer server): its English message
    // goes to the log, the customer reads this.
    return tr("The support server did not accept the request as it is. Please check it and try "
              "again, or ask your support team.");
}

AssistanceDialog::AssistanceDialog(wxWindow* parent, const Profile& profile,
                                   const std::string& language, const std::string& remembered_email,
                                   Submit submit, PickerSetup picker)
    : wxDialog(parent, wxID_ANY, tr("Ask for assistance"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      profile_(profile),
      language_(language),
      submit_(std::move(submit)) {
    const auto& rules = profile_.assistance;
    const int pad = FromDIP(16);
    const int gap = FromDIP(4);
    auto* outer = new wxBoxSizer(wxVERTICAL);

    form_ = new wxPanel(this);
    auto* column = new wxBoxSizer(wxVERTICAL);
    const auto label = [&](const wxString& text) {
        auto* l = new wxStaticText(form_, wxID_ANY, text);
        l->SetFont(l->GetFont().Bold());
        column->Add(l, 0, wxTOP, FromDIP(10));
        return l;
    };

    if (rules.groups.size() > 1) {
        label(tr("Group"));
        group_ = new wxChoice(form_, wxID_ANY);
        group_->SetName("group");
        for (const auto& g : rules.groups) {
            group_->Append(wxString::FromUTF8(g.name.get(language_)));
            group_ids_.push_back(g.id);
            if (rules.default_group && *rules.default_group == g.id)
                group_->SetSelection(static_cast<int>(group_ids_.size() - 1));
        }
        column->Add(group_, 0, wxEXPAND | wxTOP, gap);
        add_problem_label(form_, column, "group_id");
    }

    label(tr("Your email address"))->SetName("email-label");
    email_ = new wxTextCtrl(form_, wxID_ANY, wxString::FromUTF8(remembered_email));
    email_->SetHint(tr("name@example.com"));
    email_->SetName("email");
    column->Add(email_, 0, wxEXPAND | wxTOP, gap);
    add_problem_label(form_, column, "email");

    if (rules.subject != SubjectMode::hidden) {
        label(rules.subject == SubjectMode::required ? tr("Subject") : tr("Subject (optional)"))
            ->SetName("subject-label");
        subject_ = new wxTextCtrl(form_, wxID_ANY);
        subject_->SetMaxLength(200);
        subject_->SetName("subject");
        column->Add(subject_, 0, wxEXPAND | wxTOP, gap);
        add_problem_label(form_, column, "subject");
    }

    label(tr("What is the problem?"))->SetName("description-label");
    description_ = new wxTextCtrl(form_, wxID_ANY, wxEmptyString, wxDefaultPosition,
                                  FromDIP(wxSize(460, 100)), wxTE_MULTILINE);
    description_->SetName("description");
    column->Add(description_, 1, wxEXPAND | wxTOP, gap);
    auto* under_description = new wxBoxSizer(wxHORIZONTAL);
    auto* description_problem = add_problem_label(form_, under_description, "description");
    (void)description_problem;
    counter_ = new wxStaticText(form_, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize,
                                wxALIGN_RIGHT);
    counter_->SetName("counter");
    counter_->SetForegroundColour(wxColour(0x66, 0x66, 0x66));
    under_description->Add(counter_, 0, wxLEFT | wxTOP, gap);
    column->Add(under_description, 0, wxEXPAND);

    picker.title = tr("Screenshots and files (optional)");
    picker.limits = client::AttachmentLimits::from(profile_);
    if (picker.screenshot_dir.empty()) picker.screenshot_dir = cache_folder(profile_.id, "screenshots");
    picker_ = new AttachmentPicker(form_, std::move(picker));
    column->Add(picker_, 0, wxEXPAND | wxTOP, FromDIP(10));
    // Files dropped anywhere on the form (the text fields take dropped text themselves).
    form_->SetDropTarget(new AttachmentDropTarget(picker_));

    if (rules.customer_sets_priority) {
        label(tr("How urgent is it?"));
        const std::pair<Priority, wxString> levels[] = {
            {Priority::low, tr("Low \u2014 it can wait a few days")},
            {Priority::medium, tr("Medium \u2014 it slows my work down")},
            {Priority::high, tr("High \u2014 I can hardly work")},
            {Priority::urgent, tr("Urgent \u2014 I cannot work at all")},
        };
        bool first = true;
        for (const auto& [level, text] : levels) {
            auto* radio = new wxRadioButton(form_, wxID_ANY, text, wxDefaultPosition, wxDefaultSize,
                                            first ? wxRB_GROUP : 0);
            first = false;
            radio->SetValue(level == rules.default_priority);
            radio->SetName("priority-" + std::string(to_string(level)));
            column->Add(radio, 0, wxTOP, gap);
            priorities_.emplace_back(std::string(to_string(level)), radio);
        }
        add_problem_label(form_, column, "priority");
    }
    general_problem_ = add_problem_label(form_, column, "");

    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    buttons->AddStretchSpacer();
    buttons->Add(new wxButton(form_, wxID_CANCEL, tr("Cancel")), 0, wxRIGHT, FromDIP(8));
    send_ = new wxButton(form_, wxID_OK, tr("Send"));
    send_->SetDefault();
    buttons->Add(send_, 0);
    column->Add(buttons, 0, wxEXPAND | wxTOP, pad);
    auto* form_padding = new wxBoxSizer(wxVERTICAL);
    form_padding->Add(column, 1, wxEXPAND | wxALL, pad);
    form_->SetSizer(form_padding);
    outer->Add(form_, 1, wxEXPAND);

    // The result page replaces the form once the request is saved.
    result_ = new wxPanel(this);
    auto* result_column = new wxBoxSizer(wxVERTICAL);
    result_headline_ = new wxStaticText(result_, wxID_ANY, wxEmptyString);
    result_headline_->SetFont(result_headline_->GetFont().Scaled(1.5f).Bold());
    result_column->Add(result_headline_, 0, wxALL, pad);
    result_detail_ = new wxStaticText(result_, wxID_ANY, wxEmptyString);
    result_column->Add(result_detail_, 0, wxLEFT | wxRIGHT, pad);
    auto* result_buttons = new wxBoxSizer(wxHORIZONTAL);
    copy_ = new wxButton(result_, wxID_COPY, tr("Copy the number"));
    result_buttons->Add(copy_, 0, wxRIGHT, FromDIP(8));
    result_buttons->AddStretchSpacer();
    auto* close = new wxButton(result_, wxID_CLOSE, tr("Close"));
    result_buttons->Add(close, 0);
    result_column->Add(result_buttons, 0, wxEXPAND | wxALL, pad);
    result_->SetSizer(result_column);
    outer->Add(result_, 0, wxEXPAND);
    result_->Hide();
    SetSizerAndFit(outer);
    SetMinSize(GetSize());
    CentreOnParent();

    picker_->on_changed([this] {
        if (!form_->IsShown()) return;
        form_->Layout();
        GetSizer()->Fit(this);
        keep_on_screen();
    });
    update_counter();
    description_->Bind(wxEVT_TEXT, [this](wxCommandEvent&) { update_counter(); });
    send_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { send(); });
    copy_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        if (number_ > 0 && wxTheClipboard->Open()) {
            wxTheClipboard->SetData(new wxTextDataObject(wxString::Format("%lld", number_)));
            wxTheClipboard->Close();
            copy_->SetLabel(tr("Copied"));
        }
    });
    close->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { Close(); });
    Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent&) { Destroy(); });
    Bind(
        wxEVT_BUTTON, [this](wxCommandEvent&) { Close(); }, wxID_CANCEL);
    if (email_->IsEmpty())
        email_->SetFocus();
    else
        description_->SetFocus();
}

void AssistanceDialog::keep_on_screen() {
    // Grown by files or messages: what went past the bottom of the screen comes back up.
    const wxRect area = wxDisplay(wxDisplay::GetFromWindow(this) == wxNOT_FOUND
                                      ? 0u
                                      : static_cast<unsigned>(wxDisplay::GetFromWindow(this)))
                            .GetClientArea();
    wxRect r = GetRect();
    if (r.GetBottom() <= area.GetBottom()) return;
    r.y = std::max(area.y, area.GetBottom() - r.height);
    Move(r.GetPosition());
}

wxStaticText* AssistanceDialog::add_problem_label(wxWindow* parent, wxSizer* sizer,
                                                  const std::string& field) {
    auto* text = new wxStaticText(parent, wxID_ANY, wxEmptyString);
    text->SetForegroundColour(kProblemColour);
    // In a row (under the description, beside the counter) the message takes the free width.
    const bool in_row = dynamic_cast<wxBoxSizer*>(sizer) != nullptr &&
                        static_cast<wxBoxSizer*>(sizer)->GetOrientation() == wxHORIZONTAL;
    sizer->Add(text, in_row ? 1 : 0, wxTOP | wxEXPAND, FromDIP(2));
    text->Hide();
    problems_[field] = text;
    return text;
}

void AssistanceDialog::update_counter() {
    // What validation counts: the description without the blanks around it.
    const auto count = characters(wxString::FromUTF8(trimmed(description_->GetValue())));
    const int max = profile_.assistance.max_description;
    // TRANSLATORS: the live counter under the description, "120 / 4000 characters".
    counter_->SetLabel(
        tr("{count} / {max} characters", fmt::arg("count", count), fmt::arg("max", max)));
    counter_->SetForegroundColour(
        count > static_cast<std::size_t>(max) ? kProblemColour : wxColour(0x66, 0x66, 0x66));
    counter_->GetParent()->Layout();
}

client::TicketDraft AssistanceDialog::draft() const {
    client::TicketDraft d;
    d.email = std::string(email_->GetValue().utf8_str());
    d.description = std::string(description_->GetValue().utf8_str());
    if (subject_ != nullptr) d.subject = std::string(subject_->GetValue().utf8_str());
    if (group_ != nullptr) {
        const int i = group_->GetSelection();
        if (i != wxNOT_FOUND) d.group = group_ids_[static_cast<std::size_t>(i)];
    }
    for (const auto& [level, radio] : priorities_)
        if (radio->GetValue()) d.priority = level;
    return d;
}

void AssistanceDialog::fill(const client::TicketDraft& d) {
    email_->ChangeValue(wxString::FromUTF8(d.email));
    description_->ChangeValue(wxString::FromUTF8(d.description));
    update_counter();
    if (subject_ != nullptr) subject_->ChangeValue(wxString::FromUTF8(d.subject));
    if (group_ != nullptr)
        for (std::size_t i = 0; i < group_ids_.size(); ++i)
            if (group_ids_[i] == d.group) group_->SetSelection(static_cast<int>(i));
    for (const auto& [level, radio] : priorities_)
        if (level == d.priority) radio->SetValue(true);
}

void AssistanceDialog::press_send() {
    send();
}

void AssistanceDialog::show_problems(const std::vector<client::FieldProblem>& problems,
                                     const client::TicketDraft& d) {
    for (auto& [field, label] : problems_) label->Hide();
    problem_texts_.clear();
    std::map<std::string, wxString> texts;
    for (const auto& p : problems) {
        const std::string field = problems_.count(p.field) != 0 ? p.field : std::string();
        wxString text = field_problem_text(p, d, profile_);
        if (!texts[field].empty()) text = texts[field] + "\n" + text;
        texts[field] = text;
    }
    for (const auto& [field, text] : texts) {
        auto* label = problems_[field];
        problem_texts_[field] = text;
        label->SetLabel(text);
        label->Wrap(FromDIP(460));
        label->Show();
    }
    form_->Layout();
    GetSizer()->Fit(this);
    keep_on_screen();
}

void AssistanceDialog::send() {
    if (!key_.empty() || saving_) return;
    const client::TicketDraft d = draft();
    const client::PreparedTicket prepared = client::prepare_ticket(d, profile_);
    show_problems(prepared.problems, d);
    if (!prepared.ok()) {
        // The first field with a problem gets the focus.
        for (const auto& p : prepared.problems) {
            if (p.field == "email")
                email_->SetFocus();
            else if (p.field == "description")
                description_->SetFocus();
            else if (p.field == "subject" && subject_ != nullptr)
                subject_->SetFocus();
            else
                continue;
            break;
        }
        return;
    }
    const auto files = picker_->check_for_sending();
    if (!files) return;  // each refused file is named under the files
    saving_ = true;
    send_->Disable();
    send_->SetLabel(tr("Sending\u2026"));
    picker_->enable_buttons(false);
    submit_(prepared, d, *files);
}

void AssistanceDialog::saved(const std::string& key) {
    saving_ = false;
    key_ = key;
}

void AssistanceDialog::not_saved(const Error& error) {
    saving_ = false;
    picker_->enable_buttons(true);
    send_->Enable();
    send_->SetLabel(tr("Send"));
    problem_texts_[""] = tr("Your request could not be saved: {error}",
                            fmt::arg("error", std::string(save_problem_text(error).utf8_str())));
    problems_[""]->SetLabel(problem_texts_[""]);
    problems_[""]->Wrap(FromDIP(460));
    problems_[""]->Show();
    form_->Layout();
    GetSizer()->Fit(this);
}

void AssistanceDialog::show_result(const wxString& headline, const wxString& detail, bool copy) {
    // The request is in the outbox with copies of its files: screenshots taken here go.
    picker_->clear();
    result_headline_->SetLabel(headline);
    result_detail_text_ = detail;
    result_detail_->SetLabel(detail);
    result_detail_->Wrap(FromDIP(460));
    copy_->Show(copy);
    form_->Hide();
    result_->Show();
    SetMinSize(wxDefaultSize);
    GetSizer()->Fit(this);
    Layout();
}

void AssistanceDialog::delivered(long long number, const std::vector<client::Delivery::File>& files) {
    number_ = number;
    wxString detail = tr("The support team has your request. Quote this number when you talk to "
                         "them; you can follow its status under My requests.");
    for (const auto& f : files)
        if (f.id <= 0)
            detail += "\n" + tr("\u201c{name}\u201d was not attached: the support server did not "
                                "take it. The log (see About) says why.",
                                fmt::arg("name", f.name));
    show_result(tr("Your request number is {number}", fmt::arg("number", number)), detail, true);
}

void AssistanceDialog::files_queued(long long number) {
    number_ = number;
    show_result(tr("Your request number is {number}", fmt::arg("number", number)),
                tr("The support team has your request; its files could not all be sent yet. "
                   "They are saved on this computer and will be sent automatically when the "
                   "connection is back."),
                true);
}

void AssistanceDialog::queued() {
    show_result(
        tr("Your request is saved"),
        tr("The support server cannot be reached right now. Your request is queued and will be "
           "sent automatically when the connection is back; it then appears under My requests."),
        false);
}

void AssistanceDialog::refused(const std::vector<client::FieldProblem>& problems,
                               const std::string& detail) {
    key_.clear();
    send_->Enable();
    send_->SetLabel(tr("Send"));
    picker_->enable_buttons(true);
    std::vector<client::FieldProblem> shown = problems;
    if (shown.empty()) shown.push_back({"", detail});  // worded by field_problem_text
    show_problems(shown, draft());
}

wxString AssistanceDialog::problem_text(const std::string& field) const {
    const auto it = problem_texts_.find(field);
    return it != problem_texts_.end() ? it->second : wxString();
}

wxString AssistanceDialog::result_text() const {
    return result_->IsShown() ? result_headline_->GetLabel() : wxString();
}

wxString AssistanceDialog::result_detail_text() const {
    return result_->IsShown() ? result_detail_text_ : wxString();
}

wxString AssistanceDialog::counter_text() const {
    return counter_->GetLabel();
}

}  // namespace helpline::gui
