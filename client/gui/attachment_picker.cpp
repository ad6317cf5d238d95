#include "client/gui/attachment_picker.h"

#include <wx/artprov.h>
#include <wx/button.h>
#include <wx/filedlg.h>
#include <wx/menu.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/toplevel.h>
#include <wx/weakref.h>
#include <wx/wrapsizer.h>

#include <ctime>

#include "client/gui/conversation_words.h"
#include "client/gui/i18n.h"
#include "client/gui/platform.h"

namespace helpline::gui {
namespace {

namespace fs = std::filesystem;

const wxColour kProblemColour(0xC6, 0x28, 0x28);
const wxColour kQuietColour(0x66, 0x66, 0x66);
constexpr int kPickerThumbnail = 64;

bool is_image(const client::AttachmentFile& f) {
    return f.type.rfind("image/", 0) == 0;
}

/// "screenshot-2026-12-06-164205.png", unused in `dir`.
fs::path new_screenshot_path(const fs::path& dir) {
    const std::tm tm = platform::local_time(std::time(nullptr));
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d-%H%M%S", &tm);
    fs::path path = dir / (std::string("screenshot-") + stamp + ".png");
    for (int n = 2; fs::exists(path) && n < 1000; ++n)
        path = dir / (std::string("screenshot-") + stamp + "-" + std::to_string(n) + ".png");
    return path;
}

/// A long name cut in the middle so that its extension stays visible.
wxString short_name(const std::string& name) {
    const wxString text = wxString::FromUTF8(name);
    constexpr std::size_t kMax = 20;
    if (text.length() <= kMax) return text;
    return text.Left(8) + wxString::FromUTF8("\u2026") + text.Right(kMax - 9);
}

}  // namespace

fs::path cache_folder(const std::string& profile_id, const std::string& sub) {
    fs::path dir = platform::cache_base(profile_id);
    if (!sub.empty()) dir /= sub;
    return dir;
}

bool make_private_folder(const fs::path& dir) {
    return platform::make_private_folder(dir);
}

AttachmentPicker::AttachmentPicker(wxWindow* parent, PickerSetup setup)
    : wxPanel(parent, wxID_ANY), setup_(std::move(setup)), worker_(std::make_unique<DiskWorker>()) {
    ensure_image_handlers();
    SetName("attachments");
    auto* column = new wxBoxSizer(wxVERTICAL);
    if (!setup_.title.empty()) {
        auto* title = new wxStaticText(this, wxID_ANY, setup_.title);
        title->SetFont(title->GetFont().Bold());
        title->SetName("attachments-label");
        column->Add(title, 0, wxBOTTOM, FromDIP(4));
    }
    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    if (setup_.screenshots && ScreenCapture::available()) {
        screenshot_ = new wxButton(this, wxID_ANY, tr("Add a screenshot"));
        screenshot_->SetName("add-screenshot");
        screenshot_->SetToolTip(
            tr("Take a picture of your screen, or of one window, to show the "
               "support team what you see. This window steps aside meanwhile."));
        buttons->Add(screenshot_, 0, wxRIGHT, FromDIP(8));
        screenshot_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { choose_capture(); });
    }
    attach_ = new wxButton(this, wxID_ANY, tr("Attach files\u2026"));
    attach_->SetName("attach-files");
    attach_->SetToolTip(tr("You can also drop files onto this window."));
    buttons->Add(attach_, 0);
    attach_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { choose_files(); });
    column->Add(buttons, 0, wxEXPAND);

    tiles_panel_ = new wxPanel(this);
    tiles_ = new wxWrapSizer(wxHORIZONTAL);
    tiles_panel_->SetSizer(tiles_);
    column->Add(tiles_panel_, 0, wxEXPAND | wxTOP, FromDIP(4));
    problem_label_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
    problem_label_->SetName("attachment-problems");
    problem_label_->SetForegroundColour(kProblemColour);
    column->Add(problem_label_, 0, wxEXPAND | wxTOP, FromDIP(2));
    problem_label_->Hide();
    SetSizer(column);
    rebuild();
}

AttachmentPicker::~AttachmentPicker() {
    capture_.reset();  // the windows come back
    worker_.reset();   // nothing it does is wanted any more
    for (const auto& shot : screenshots_) delete_screenshot(shot);
}

void AttachmentPicker::delete_screenshot(const fs::path& path) {
    std::error_code ec;
    fs::remove(path, ec);
}

void AttachmentPicker::choose_files() {
    wxFileDialog dialog(wxGetTopLevelParent(this), tr("Attach files"), wxEmptyString, wxEmptyString,
                        wxFileSelectorDefaultWildcardStr,
                        wxFD_OPEN | wxFD_MULTIPLE | wxFD_FILE_MUST_EXIST);
    if (dialog.ShowModal() != wxID_OK) return;
    wxArrayString names;
    dialog.GetPaths(names);
    std::vector<fs::path> paths;
    for (const auto& n : names) paths.emplace_back(std::string(n.utf8_str()));
    add_files(paths);
}

void AttachmentPicker::choose_capture() {
    wxMenu menu;
    const int whole = wxWindow::NewControlId();
    const int one = wxWindow::NewControlId();
    menu.Append(whole, tr("The whole screen"));
    menu.Append(one, tr("One window: click on it next (Esc cancels)"));
    const int chosen = GetPopupMenuSelectionFromUser(
        menu, screenshot_->GetPosition() + wxPoint(0, screenshot_->GetSize().y));
    if (chosen == whole) add_screenshot(CaptureMode::screen);
    if (chosen == one) add_screenshot(CaptureMode::window);
}

void AttachmentPicker::add_screenshot(CaptureMode mode) {
    if (capture_) return;
    std::vector<wxTopLevelWindow*> hide;
    if (setup_.windows_to_hide) hide = setup_.windows_to_hide();
    if (auto* own = dynamic_cast<wxTopLevelWindow*>(wxGetTopLevelParent(this)))
        if (std::find(hide.begin(), hide.end(), own) == hide.end()) hide.push_back(own);
    capture_ = std::make_unique<ScreenCapture>(
        mode, hide,
        [this, alive = alive_.watch()](CaptureOutcome outcome) {
            // Called from the capture's timer: it must not be destroyed under its own feet.
            post_if_alive(alive, [this, outcome = std::move(outcome)]() mutable {
                capture_.reset();
                captured(std::move(outcome));
            });
        },
        setup_.capture_timing);
    if (screenshot_ != nullptr) screenshot_->Disable();
    capture_->start();
}

void AttachmentPicker::captured(CaptureOutcome outcome) {
    if (screenshot_ != nullptr) screenshot_->Enable();
    if (outcome.state == CaptureOutcome::State::cancelled) return;
    if (outcome.state == CaptureOutcome::State::failed) {
        if (setup_.log) setup_.log("The screen could not be captured: " + outcome.problem);
        show_problems({tr("The screen could not be captured. The log (see About) says why.")});
        return;
    }
    // Encoding a screen as PNG takes a moment: on the worker, with the thumbnail.
    const fs::path dir = setup_.screenshot_dir;
    worker_->post([this, alive = alive_.watch(), dir, image = std::move(outcome.image)] {
        (void)make_private_folder(dir);  // a failure shows when the file cannot be written
        const fs::path file = new_screenshot_path(dir);
        const Status saved = save_png(image, file);
        Thumbnail thumbnail = thumbnail_of(image, kPickerThumbnail);
        post_if_alive(alive, [this, file, saved, thumbnail = std::move(thumbnail)] {
            if (!saved) {
                if (setup_.log)
                    setup_.log("The screenshot could not be saved: " + saved.error().message);
                show_problems(
                    {tr("The screenshot could not be saved on this computer. The log "
                        "(see About) says why.")});
                return;
            }
            screenshots_.insert(file);
            thumbnails_[file] = to_bitmap(thumbnail);
            add_files({file});
            if (std::none_of(files_.begin(), files_.end(),
                             [&](const auto& f) { return f.path == file; })) {
                screenshots_.erase(file);  // refused by the limits: not kept
                delete_screenshot(file);
            }
        });
    });
}

void AttachmentPicker::add_files(const std::vector<fs::path>& paths) {
    std::vector<fs::path> all;
    for (const auto& f : files_) all.push_back(f.path);
    all.insert(all.end(), paths.begin(), paths.end());
    const client::AttachmentCheck check = client::check_attachments(all, setup_.limits);
    // Checked in order: the files already here passed the same limits before and stay
    // (unless one became unreadable meanwhile, which is said as for a new one).
    std::vector<wxString> problems;
    for (const auto& r : check.refused) problems.push_back(refused_file_text(r));
    files_ = check.accepted;
    for (const auto& f : files_)
        if (is_image(f)) want_thumbnail(f.path);
    rebuild();
    show_problems(std::move(problems));
}

void AttachmentPicker::want_thumbnail(const fs::path& path) {
    if (thumbnails_.count(path) != 0 || thumbnails_wanted_.count(path) != 0) return;
    thumbnails_wanted_.insert(path);
    worker_->post([this, alive = alive_.watch(), path] {
        auto thumbnail = thumbnail_of_file(path, kPickerThumbnail);
        post_if_alive(alive, [this, path, thumbnail = std::move(thumbnail)] {
            thumbnails_wanted_.erase(path);
            thumbnails_[path] = thumbnail ? to_bitmap(*thumbnail) : wxBitmap();
            rebuild();
        });
    });
}

void AttachmentPicker::remove(std::size_t index) {
    if (index >= files_.size()) return;
    const fs::path path = files_[index].path;
    files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(index));
    if (screenshots_.erase(path) != 0) {
        delete_screenshot(path);
        thumbnails_.erase(path);
    }
    rebuild();
    show_problems({});
}

std::optional<std::vector<client::AttachmentFile>> AttachmentPicker::check_for_sending() {
    std::vector<fs::path> all;
    for (const auto& f : files_) all.push_back(f.path);
    const auto check = client::check_attachments(all, setup_.limits);
    if (check.ok()) {
        files_ = check.accepted;  // sizes as they are now
        return check.accepted;
    }
    std::vector<wxString> problems;
    for (const auto& r : check.refused) problems.push_back(refused_file_text(r));
    show_problems(std::move(problems));
    return std::nullopt;
}

void AttachmentPicker::clear() {
    for (const auto& shot : screenshots_) delete_screenshot(shot);
    screenshots_.clear();
    files_.clear();
    thumbnails_.clear();
    rebuild();
    show_problems({});
}

void AttachmentPicker::enable_buttons(bool enable) {
    if (screenshot_ != nullptr) screenshot_->Enable(enable && !capture_);
    attach_->Enable(enable);
    for (wxWindow* child : tiles_panel_->GetChildren())
        for (wxWindow* inner : child->GetChildren())
            if (dynamic_cast<wxButton*>(inner) != nullptr) inner->Enable(enable);
}

bool AttachmentPicker::has_thumbnail(std::size_t index) const {
    if (index >= files_.size()) return false;
    const auto it = thumbnails_.find(files_[index].path);
    return it != thumbnails_.end() && it->second.IsOk();
}

void AttachmentPicker::rebuild() {
    Freeze();
    tiles_->Clear(/*delete_windows=*/true);
    for (std::size_t i = 0; i < files_.size(); ++i) {
        const auto& f = files_[i];
        auto* tile = new wxPanel(tiles_panel_);
        tile->SetName("attachment-" + std::to_string(i));
        auto* row = new wxBoxSizer(wxHORIZONTAL);
        const auto thumb = thumbnails_.find(f.path);
        const bool has_picture = thumb != thumbnails_.end() && thumb->second.IsOk();
        const wxBitmapBundle picture =
            has_picture
                ? wxBitmapBundle(thumb->second)
                : wxArtProvider::GetBitmapBundle(wxART_NORMAL_FILE, wxART_OTHER, wxSize(32, 32));
        auto* image = new wxStaticBitmap(tile, wxID_ANY, picture);
        image->SetName(has_picture ? "thumbnail" : "file-icon");
        image->SetMinSize(wxSize(FromDIP(kPickerThumbnail), -1));
        row->Add(image, 0, wxALIGN_CENTER_VERTICAL);
        auto* words = new wxBoxSizer(wxVERTICAL);
        auto* name = new wxStaticText(tile, wxID_ANY, wxEmptyString);
        name->SetLabelText(short_name(f.name));
        name->SetToolTip(wxString::FromUTF8(f.name));
        name->SetName("name");
        words->Add(name, 0);
        auto* size = new wxStaticText(tile, wxID_ANY, size_words(f.size));
        size->SetForegroundColour(kQuietColour);
        size->SetName("size");
        words->Add(size, 0);
        auto* remove_button = new wxButton(tile, wxID_ANY, tr("Remove"), wxDefaultPosition,
                                           wxDefaultSize, wxBU_EXACTFIT);
        remove_button->SetName("remove");
        remove_button->SetToolTip(tr("Do not send \u201c{name}\u201d", fmt::arg("name", f.name)));
        words->Add(remove_button, 0, wxTOP, FromDIP(2));
        remove_button->Bind(wxEVT_BUTTON, [this, path = f.path](wxCommandEvent&) {
            // After this handler: the button is destroyed by rebuild().
            CallAfter([this, path] {
                for (std::size_t k = 0; k < files_.size(); ++k)
                    if (files_[k].path == path) return remove(k);
            });
        });
        row->Add(words, 1, wxLEFT | wxALIGN_CENTER_VERTICAL, FromDIP(6));
        tile->SetSizer(row);
        tiles_->Add(tile, 0, wxRIGHT | wxBOTTOM, FromDIP(8));
    }
    tiles_panel_->Show(!files_.empty());
    Thaw();
    tiles_panel_->Layout();
    Layout();
    if (changed_) changed_();
}

void AttachmentPicker::show_problems(std::vector<wxString> problems) {
    problems_ = std::move(problems);
    wxString text;
    for (const auto& p : problems_) text += (text.empty() ? "" : "\n") + p;
    problem_label_->SetLabelText(text);
    problem_label_->Wrap(FromDIP(460));
    problem_label_->Show(!text.empty());
    Layout();
    if (changed_) changed_();
}

bool AttachmentDropTarget::OnDropFiles(wxCoord, wxCoord, const wxArrayString& names) {
    if (!picker_) return false;
    std::vector<std::filesystem::path> paths;
    for (const auto& n : names) paths.emplace_back(std::string(n.utf8_str()));
    picker_->add_files(paths);
    return true;
}

}  // namespace helpline::gui
