#pragma once
// Sample data for the conversation windows (gui_preview's screenshots and the window tests):
// a picture that looks like a screenshot, files of known sizes, and a conversation with
// messages both ways and attachments.

#include <wx/bitmap.h>
#include <wx/dcmemory.h>
#include <wx/image.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "client/core/conversation.h"
#include "client/core/my_requests.h"

namespace helpline::gui::test {

/// A 800x500 picture of a desktop with a window and an error box, as a PNG in `dir`.
inline std::filesystem::path sample_screenshot(const std::filesystem::path& dir,
                                               const std::string& name = "screenshot.png") {
    if (wxImage::FindHandler(wxBITMAP_TYPE_PNG) == nullptr) wxInitAllImageHandlers();
    wxBitmap bitmap(800, 500, 24);
    {
        wxMemoryDC dc(bitmap);
        dc.SetBackground(wxBrush(wxColour(0x2B, 0x57, 0x97)));
        dc.Clear();
        dc.SetPen(*wxTRANSPARENT_PEN);
        dc.SetBrush(*wxWHITE_BRUSH);
        dc.DrawRectangle(90, 60, 620, 380);
        dc.SetBrush(wxBrush(wxColour(0xDD, 0xDD, 0xDD)));
        dc.DrawRectangle(90, 60, 620, 34);
        dc.SetBrush(wxBrush(wxColour(0xC6, 0x28, 0x28)));
        dc.DrawRectangle(250, 200, 300, 120);
        dc.SetTextForeground(*wxWHITE);
        dc.SetFont(wxFontInfo(18).Bold());
        dc.DrawText("Printer error 0x61", 280, 245);
    }
    const auto path = dir / name;
    bitmap.ConvertToImage().SaveFile(wxString::FromUTF8(path.string()), wxBITMAP_TYPE_PNG);
    return path;
}

/// A file of `size` bytes of a known pattern.
inline std::filesystem::path sample_file(const std::filesystem::path& dir, const std::string& name,
                                         std::size_t size) {
    const auto path = dir / name;
    std::ofstream out(path, std::ios::binary);
    for (std::size_t i = 0; i < size; ++i) out.put(static_cast<char>('a' + i % 26));
    return path;
}

inline client::Attachment sample_attachment(std::int64_t id, std::int64_t message_id,
                                            const std::string& name, std::uint64_t size, bool image,
                                            const std::string& author) {
    client::Attachment a;
    a.id = id;
    a.ticket_number = 1042;
    a.message_id = message_id;
    a.name = name;
    a.size = size;
    a.type = image ? "image/png" : "application/pdf";
    a.image = image;
    a.sha256 = std::string(64, 'a');
    a.author = author;
    return a;
}

/// Request 1042: the description with a screenshot, a question from Ana with a guide, the
/// customer's answer and Ana's newest message (not read yet).
inline client::Conversation sample_conversation(std::chrono::system_clock::time_point now) {
    using std::chrono::hours;
    using std::chrono::minutes;
    const auto at = [&](auto ago) { return client::format_utc(now - ago); };
    client::Conversation c;
    c.number = 1042;
    c.status = "open";
    c.description = "The printer in room 4 prints blank pages since this morning.";
    c.created_at = at(hours(26));
    c.attachments = {
        sample_attachment(7, 0, "screenshot-2026-12-06-091204.png", 300'123, true, "customer")};
    client::Message question;
    question.id = 11;
    question.ticket_number = 1042;
    question.author = "team";
    question.author_name = "Ana Costa";
    question.body = "Hello! Which model is it, and does the printer's own test page print?";
    question.created_at = at(hours(25));
    client::Message answer;
    answer.id = 12;
    answer.ticket_number = 1042;
    answer.author = "customer";
    answer.body = "It is a LaserJet M404.\nThe test page is blank too.";
    answer.created_at = at(minutes(40));
    client::Message guide;
    guide.id = 13;
    guide.ticket_number = 1042;
    guide.author = "team";
    guide.author_name = "Ana Costa";
    guide.body =
        "Thank you. Please follow the steps of this guide; if the page is still blank, "
        "I can connect to your computer and look at the driver.";
    guide.created_at = at(minutes(5));
    guide.attachments = {sample_attachment(8, 13, "cleaning-guide.pdf", 1'234'567, false, "team")};
    c.messages = {question, answer, guide};
    c.read_message_id = 12;
    return c;
}

}  // namespace helpline::gui::test
