#include <wx/stattext.h>

#include "client/gui/label_style.h"

namespace helpline::gui {

void set_label(wxStaticText* label, const wxString& text, const LabelStyle& style) {
    wxString attributes;
    if (style.size == LabelStyle::Size::large) attributes += " size='large'";
    if (style.size == LabelStyle::Size::xx_large) attributes += " size='xx-large'";
    if (style.bold) attributes += " weight='bold'";
    if (style.colour.IsOk())
        attributes += " foreground='" + style.colour.GetAsString(wxC2S_HTML_SYNTAX) + "'";
    label->SetLabelMarkup("<span" + attributes + ">" + escape_markup(text) + "</span>");
}

}  // namespace helpline::gui
