#include "client/gui/session_bar.h"

#include <wx/button.h>
#include <wx/display.h>
#include <wx/panel.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

#include "client/gui/i18n.h"

namespace helpline::gui {

SessionBar::SessionBar(const std::string& operator_name, const wxColour& accent, std::function<void()> on_end)
    : wxFrame(nullptr, wxID_ANY, tr("Remote session"), wxDefaultPosition, wxDefaultSize,
              wxSTAY_ON_TOP | wxFRAME_TOOL_WINDOW | wxCAPTION | wxFRAME_NO_TASKBAR | wxBORDER_SIMPLE),
      on_end_(std::move(on_end)) {
    auto* panel = new wxPanel(this);
    panel->SetBackgroundColour(accent);
    auto* row = new wxBoxSizer(wxHORIZONTAL);
    auto* dot = new wxStaticText(panel, wxID_ANY, wxString::FromUTF8("\u25CF"));  // a live indicator
    dot->SetForegroundColour(wxColour(0xFF, 0x5A, 0x4F));
    dot->SetFont(dot->GetFont().Scaled(1.3f));
    row->Add(dot, 0, wxALIGN_CENTER_VERTICAL | wxLEFT, FromDIP(12));
    auto* text = text_ = new wxStaticText(panel, wxID_ANY,
                                  tr("{operator} can see and control this computer", fmt::arg("operator", operator_name)));
    text->SetForegroundColour(*wxWHITE);
    text->SetFont(text->GetFont().Bold());
    row->Add(text, 1, wxALIGN_CENTER_VERTICAL | wxALL, FromDIP(10));
    auto* end = end_ = new wxButton(panel, wxID_ANY, tr("End session"));
    row->Add(end, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(10));
    panel->SetSizer(row);
    auto* frame_sizer = new wxBoxSizer(wxVERTICAL);
    frame_sizer->Add(panel, 1, wxEXPAND);
    SetSizerAndFit(frame_sizer);

    // Top centre of the primary display, where it cannot be missed.
    const wxRect area = wxDisplay(0u).GetClientArea();
    SetPosition(wxPoint(area.x + (area.width - GetSize().x) / 2, area.y + FromDIP(8)));

    end->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { finish(true); });
    // Closing the bar is ending the session: it must never disappear while someone is in.
    Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent&) { finish(true); });
}

void SessionBar::dismiss() { finish(false); }

wxString SessionBar::text() const { return text_->GetLabel(); }

void SessionBar::finish(bool notify) {
    if (done_) return;
    done_ = true;
    auto callback = std::move(on_end_);
    Destroy();
    if (notify && callback) callback();
}

}  // namespace helpline::gui
