#pragma once
// The files that go with a request or a reply, before it is sent: "Add a screenshot" (the
// whole screen, or one window chosen by clicking; ScreenCapture), "Attach files" (a file
// dialog, several at once) and files dropped onto the form. Each file is checked against
// the profile's limits as it comes (client::check_attachments: how many, how much in all,
// one file at most 20 MiB) and again before sending; a refused file gets one sentence
// naming it. Images show as thumbnails, other files as their name and size; each has a
// Remove button. Screenshots are PNG files in the client's cache folder, deleted once the
// request is saved (the outbox keeps its own copy) or the form is closed.

#include <wx/dnd.h>
#include <wx/panel.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/core/attachment_limits.h"
#include "client/gui/disk_worker.h"
#include "client/gui/main_loop.h"
#include "client/gui/screen_capture.h"
#include "client/gui/thumbnail.h"

class wxButton;
class wxStaticText;
class wxTopLevelWindow;
class wxWrapSizer;

namespace helpline::gui {

struct PickerSetup {
    /// A heading on the row of the buttons ("Screenshots and files (optional)"), or none.
    wxString title;
    client::AttachmentLimits limits;
    /// Where screenshots are written (made, mode 0700, for the first one).
    std::filesystem::path screenshot_dir;
    /// Offer "Add a screenshot" (when the screen can be read: ScreenCapture::available()).
    bool screenshots = true;
    /// The client's windows to hide while the screen is captured.
    std::function<std::vector<wxTopLevelWindow*>()> windows_to_hide;
    std::function<void(const std::string&)> log;
    CaptureTiming capture_timing;
};

class AttachmentPicker : public wxPanel {
  public:
    AttachmentPicker(wxWindow* parent, PickerSetup setup);
    /// Deletes the screenshots still here (never sent).
    ~AttachmentPicker() override;

    /// Adds files (from the dialog or a drop), each checked at once.
    void add_files(const std::vector<std::filesystem::path>& paths);
    /// Removes the file at `index` of files() (a screenshot's file is deleted).
    void remove(std::size_t index);
    /// Captures the screen (hiding the client's windows) and adds the picture.
    void add_screenshot(CaptureMode mode);
    /// Checks every file again, as they are now; the files to send, or nullopt with a line
    /// for each refused file shown.
    std::optional<std::vector<client::AttachmentFile>> check_for_sending();
    /// The files are sent (saved in the outbox): forgets them; screenshots are deleted.
    void clear();
    /// Makes the buttons usable or not (while a request is being saved).
    void enable_buttons(bool enable);

    const std::vector<client::AttachmentFile>& files() const { return files_; }
    /// The sentences about refused files, as shown.
    const std::vector<wxString>& problems() const { return problems_; }
    /// A capture under way (tests: choosing() is true once the pointer is grabbed).
    ScreenCapture* capture() const { return capture_.get(); }
    /// Whether a file's thumbnail is on screen (images only).
    bool has_thumbnail(std::size_t index) const;
    /// Screenshots taken here so far and not removed (their files).
    const std::set<std::filesystem::path>& screenshots() const { return screenshots_; }
    /// Told when the files or the sentences changed (the window may need to grow).
    void on_changed(std::function<void()> listener) { changed_ = std::move(listener); }

  private:
    void captured(CaptureOutcome outcome);
    void rebuild();
    void show_problems(std::vector<wxString> problems);
    void want_thumbnail(const std::filesystem::path& path);
    void choose_files();
    void choose_capture();
    void delete_screenshot(const std::filesystem::path& path);

    PickerSetup setup_;
    std::vector<client::AttachmentFile> files_;
    std::vector<wxString> problems_;
    std::set<std::filesystem::path> screenshots_;
    std::map<std::filesystem::path, wxBitmap> thumbnails_;
    std::set<std::filesystem::path> thumbnails_wanted_;
    std::unique_ptr<ScreenCapture> capture_;
    std::function<void()> changed_;

    wxButton* screenshot_ = nullptr;
    wxButton* attach_ = nullptr;
    wxPanel* tiles_panel_ = nullptr;
    wxWrapSizer* tiles_ = nullptr;
    wxStaticText* problem_label_ = nullptr;
    std::unique_ptr<DiskWorker> worker_;  ///< decoding, scaling, PNG encoding
    AliveToken alive_;
};

/// Files dropped onto a window go to a picker.
class AttachmentDropTarget : public wxFileDropTarget {
  public:
    explicit AttachmentDropTarget(AttachmentPicker* picker) : picker_(picker) {}
    bool OnDropFiles(wxCoord x, wxCoord y, const wxArrayString& names) override;

  private:
    wxWeakRef<AttachmentPicker> picker_;
};

/// The client's cache folder for this brand (platform::cache_base: $XDG_CACHE_HOME/helpline/
/// <profile id> on Linux, %LOCALAPPDATA%\<profile id>\cache on Windows), or a subfolder of
/// it; not made here (make_private_folder).
std::filesystem::path cache_folder(const std::string& profile_id, const std::string& sub);
/// Makes `dir` (and the folders above it that are missing) the user's alone (mode 0700 on
/// Linux).
bool make_private_folder(const std::filesystem::path& dir);

}  // namespace helpline::gui
