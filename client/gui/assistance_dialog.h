#pragma once
// The Assistance form: group (the profile's groups by their localized names; hidden when
// there is only one), email (remembered), subject (as the profile asks), description with a
// live counter, priority (only when the customer may set it, one line of explanation per
// level), and the files that go with it (AttachmentPicker: screenshots, files picked or
// dropped, checked against the profile's limits). Every field is checked by the core's prepare_ticket() before anything is saved;
// problems appear under their fields. Then the request is handed to the Client (saved in
// the outbox, sent by the background sender) and the form shows how it went: the ticket
// number with Copy, "saved, will be sent automatically", or the server's refusal.

#include <wx/dialog.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "client/core/api_client.h"
#include "client/core/attachment_limits.h"
#include "client/core/submission.h"
#include "client/gui/attachment_picker.h"
#include "shared/profile.h"
#include "shared/result.h"

class wxButton;
class wxChoice;
class wxPanel;
class wxRadioButton;
class wxStaticText;
class wxTextCtrl;

namespace helpline::gui {

class AssistanceDialog : public wxDialog {
  public:
    /// Saves a checked request (the body of prepare_ticket) with its files (checked against
    /// the limits) for sending, off the main thread; the Client answers with saved() or
    /// not_saved().
    using Submit = std::function<void(const client::PreparedTicket& ticket,
                                      const client::TicketDraft& draft,
                                      const std::vector<client::AttachmentFile>& files)>;

    /// `picker`: where screenshots go and which windows step aside for them (its limits
    /// are the profile's).
    AssistanceDialog(wxWindow* parent, const Profile& profile, const std::string& language,
                     const std::string& remembered_email, Submit submit, PickerSetup picker = {});

    /// The outbox key of the request sent from this form (empty until it is saved).
    const std::string& key() const { return key_; }
    /// Whether Send was pressed and the request is being saved.
    bool saving() const { return saving_; }
    /// The request is saved in the outbox under `key` (the sender takes it from there).
    void saved(const std::string& key);
    /// It could not be saved: the form stays, with why.
    void not_saved(const Error& error);
    /// How the background sender's attempts went (the Client calls these for key()).
    /// `files`: how each file went (one the server did not take is named).
    void delivered(long long number, const std::vector<client::Delivery::File>& files = {});
    void queued();
    /// The ticket exists but its files are not all sent yet: they go automatically.
    void files_queued(long long number);
    void refused(const std::vector<client::FieldProblem>& problems, const std::string& detail);

    /// What is shown under a field ("email", "description", ...), empty when nothing.
    wxString problem_text(const std::string& field) const;
    /// The result page's headline (the number, queued, ...).
    wxString result_text() const;
    /// The sentences under the headline.
    wxString result_detail_text() const;
    /// The description's counter ("12 / 4000 characters").
    wxString counter_text() const;
    /// Fills the form (tests and screenshots) and presses Send.
    void fill(const client::TicketDraft& draft);
    void press_send();
    AttachmentPicker* attachments() const { return picker_; }

  private:
    wxStaticText* add_problem_label(wxWindow* parent, wxSizer* sizer, const std::string& field);
    client::TicketDraft draft() const;
    void send();
    void show_problems(const std::vector<client::FieldProblem>& problems,
                       const client::TicketDraft& draft);
    void update_counter();
    void keep_on_screen();
    void show_result(const wxString& headline, const wxString& detail, bool copy);

    const Profile& profile_;
    std::string language_;
    Submit submit_;
    std::string key_;
    bool saving_ = false;
    long long number_ = 0;

    wxPanel* form_ = nullptr;
    wxPanel* result_ = nullptr;
    wxChoice* group_ = nullptr;
    std::vector<std::string> group_ids_;
    wxTextCtrl* email_ = nullptr;
    wxTextCtrl* subject_ = nullptr;
    wxTextCtrl* description_ = nullptr;
    wxStaticText* counter_ = nullptr;
    AttachmentPicker* picker_ = nullptr;
    std::vector<std::pair<std::string, wxRadioButton*>> priorities_;
    std::map<std::string, wxStaticText*> problems_;
    std::map<std::string, wxString> problem_texts_;  ///< as shown, before wrapping
    wxStaticText* general_problem_ = nullptr;
    wxButton* send_ = nullptr;
    wxStaticText* result_headline_ = nullptr;
    wxStaticText* result_detail_ = nullptr;
    wxString result_detail_text_;  ///< as shown, before wrapping
    wxButton* copy_ = nullptr;
};

/// The message shown under a field for a problem prepare_ticket() or the server reported, in
/// the customer's language (a general sentence for anything unforeseen: the core's and the
/// server's English messages are for the log).
wxString field_problem_text(const client::FieldProblem& problem, const client::TicketDraft& draft,
                            const Profile& profile);

}  // namespace helpline::gui
