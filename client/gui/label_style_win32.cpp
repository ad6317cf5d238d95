#include <wx/stattext.h>

#include "client/gui/label_style.h"

namespace helpline::gui {

void set_label(wxStaticText* label, const wxString& text, const LabelStyle& style) {
    // From the parent's font, so that styling a label again does not scale it twice.
    wxFont font = label->GetParent() != nullptr ? label->GetParent()->GetFont() : label->GetFont();
    if (style.size == LabelStyle::Size::large) font = font.Scaled(1.2f);
    if (style.size == LabelStyle::Size::xx_large) font = font.Scaled(1.728f);
    if (style.bold) font = font.Bold();
    label->SetFont(font);
    if (style.colour.IsOk()) label->SetForegroundColour(style.colour);
    label->SetLabelText(text);
    label->Refresh();  // a new colour with the same text (the link's dot) repaints too
}

}  // namespace helpline::gui
