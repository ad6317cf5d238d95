// The installer script's text (branding/tool/nsis_script.cpp): the brand's texts become NSIS
// strings that mean exactly them, whatever they hold.

#include "branding/tool/nsis_script.h"

#include <catch2/catch.hpp>

using namespace helpline;
using namespace helpline::brand;

namespace {

NsisInstaller demo_installer(const std::string& name) {
    NsisInstaller in;
    in.id = "acme-support";
    in.name = name;
    in.version = "3-0.1.0";
    in.publisher = name;
    in.help_link = "https://acme.example/help";
    in.languages = {{"Italian", "Assistenza " + name, "Ricevi aiuto"},
                    {"English", name, "Get help"}};
    in.files = {"acme-support.ico", "bin/acme-support-cli.exe", "bin/acme-support.exe",
                "share/locale/pt/LC_MESSAGES/helpline.mo"};
    in.estimated_size_kib = 123;
    return in;
}

/// The lines of `text` that start with `prefix` (after indentation).
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
    std::vector<std::string> found;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        line.erase(0, line.find_first_not_of(' '));
        if (line.rfind(prefix, 0) == 0) found.push_back(line);
        start = end + 1;
    }
    return found;
}

}  // namespace

TEST_CASE("NSIS strings escape dollars, quotes, braces and line breaks") {
    CHECK(*nsis_string("Acme Support") == "\"Acme Support\"");
    CHECK(*nsis_string("$INSTDIR") == "\"$$INSTDIR\"");
    CHECK(*nsis_string("say \"hi\"") == "\"say $\\\"hi$\\\"\"");
    // makensis replaces ${NAME} before it reads "$$": the brace itself is written as a define.
    CHECK(*nsis_string("${NSISDIR}") == "\"$$${U+7B}NSISDIR}\"");
    CHECK(*nsis_string("a\nb\r\tc") == "\"a$\\nb$\\r$\\tc\"");
    // Backslashes, single quotes and backquotes mean themselves inside double quotes.
    CHECK(*nsis_string("C:\\x 'y' `z` \\") == "\"C:\\x 'y' `z` \\\"");
    auto bell = nsis_string(std::string("a\x07") + "b");
    REQUIRE(!bell);
    CHECK_THAT(bell.error().message, Catch::Contains("control character"));
}

TEST_CASE("A name becomes one line and a shortcut file name Windows accepts") {
    CHECK(one_line("  Acme\nSupport\t ") == "Acme Support");
    CHECK(shortcut_file_name("Acme: Help / Support?", "acme") == "Acme Help Support");
    CHECK(shortcut_file_name("\"<>|*\\", "acme") == "acme");
    CHECK(shortcut_file_name("Acme Inc.", "acme") == "Acme Inc");
    CHECK(shortcut_file_name("con", "acme") == "acme");
    CHECK(shortcut_file_name("NUL.txt", "acme") == "acme");
    CHECK(shortcut_file_name("Console", "acme") == "Console");
    CHECK(shortcut_file_name(std::string(100, 'x'), "acme") == std::string(80, 'x'));
    // Cut by characters, never inside one.
    std::string accents;
    for (int i = 0; i < 90; ++i) accents += "\xc3\xa9";  // é
    CHECK(shortcut_file_name(accents, "acme").size() == 160);
}

TEST_CASE("The installer speaks the profile's languages we translate, its first first") {
    Profile p;
    p.name = LocalizedText({{"en", "Acme"}, {"pt", "Acme PT"}, {"it", "Acme IT"}});
    p.languages = {"it", "de", "pt", "en", "pt-PT"};
    auto languages = nsis_languages(p);
    REQUIRE(languages.size() == 3);
    CHECK(languages[0].mui_name == "Italian");
    CHECK(languages[0].brand_name == "Acme IT");
    CHECK(languages[0].comment == "Ricevi aiuto dal tuo team di supporto");
    CHECK(languages[1].mui_name == "Portuguese");
    CHECK(languages[2].mui_name == "English");
    p.languages = {"pt_BR"};
    languages = nsis_languages(p);
    REQUIRE(languages.size() == 1);
    CHECK(languages[0].mui_name == "PortugueseBR");
    CHECK(languages[0].brand_name == "Acme PT");  // no pt_BR name: Portuguese's
    p.languages = {"de", "fr"};
    languages = nsis_languages(p);
    REQUIRE(languages.size() == 1);
    CHECK(languages[0].mui_name == "English");
}

TEST_CASE("The script installs per user, registers the uninstaller and removes only its own") {
    auto script = nsis_script(demo_installer("Acme Support"));
    REQUIRE(script);
    const std::string& s = *script;
    CHECK_THAT(s, Catch::Contains("Unicode true\n"));
    CHECK_THAT(s, Catch::Contains("RequestExecutionLevel user\n"));
    CHECK_THAT(s, Catch::Contains("InstallDir \"$LOCALAPPDATA\\Programs\\acme-support\"\n"));
    CHECK_THAT(s, Catch::Contains("SetDateSave on\n"));
    // The profile's first language is the default: the first MUI_LANGUAGE.
    const auto languages = lines_starting(s, "!insertmacro MUI_LANGUAGE");
    REQUIRE(languages.size() == 2);
    CHECK(languages[0] == "!insertmacro MUI_LANGUAGE \"Italian\"");
    CHECK_THAT(s,
               Catch::Contains("LangString BrandName ${LANG_ITALIAN} \"Assistenza Acme Support\""));
    CHECK_THAT(s, Catch::Contains("File \"files\\bin\\acme-support.exe\"\n"));
    CHECK_THAT(s, Catch::Contains("SetOutPath \"$INSTDIR\\share\\locale\\pt\\LC_MESSAGES\"\n"));
    CHECK_THAT(s, Catch::Contains("CreateShortCut \"$SMPROGRAMS\\Acme Support.lnk\" "
                                  "\"$INSTDIR\\bin\\acme-support.exe\" \"\" "
                                  "\"$INSTDIR\\acme-support.ico\" 0"));
    const std::string key =
        "HKCU \"Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\acme-support\"";
    for (const std::string value :
         {"\"DisplayName\" \"Acme Support\"", "\"DisplayIcon\" \"$INSTDIR\\acme-support.ico\"",
          "\"DisplayVersion\" \"3-0.1.0\"", "\"Publisher\" \"Acme Support\"",
          "\"HelpLink\" \"https://acme.example/help\"", "\"InstallLocation\" \"$INSTDIR\"",
          "\"UninstallString\" \"$\\\"$INSTDIR\\Uninstall.exe$\\\"\"",
          "\"QuietUninstallString\" \"$\\\"$INSTDIR\\Uninstall.exe$\\\" /S\""})
        CHECK_THAT(s, Catch::Contains("WriteRegStr " + key + " " + value + "\n"));
    for (const std::string value : {"\"NoModify\" 1", "\"NoRepair\" 1", "\"EstimatedSize\" 123"})
        CHECK_THAT(s, Catch::Contains("WriteRegDWORD " + key + " " + value + "\n"));
    // The uninstaller: each file, then each folder deepest first, never RMDir /r.
    CHECK(lines_starting(s, "Delete \"$INSTDIR\\").size() == 5);  // 4 files + Uninstall.exe
    const auto folders = lines_starting(s, "RMDir");
    const std::vector<std::string> expected{"RMDir \"$INSTDIR\\share\\locale\\pt\\LC_MESSAGES\"",
                                            "RMDir \"$INSTDIR\\share\\locale\\pt\"",
                                            "RMDir \"$INSTDIR\\share\\locale\"",
                                            "RMDir \"$INSTDIR\\share\"",
                                            "RMDir \"$INSTDIR\\bin\"",
                                            "RMDir \"$INSTDIR\""};
    CHECK(folders == expected);
    CHECK_THAT(s, Catch::Contains("DeleteRegKey " + key + "\n"));
    CHECK_THAT(s, Catch::Contains("Delete \"$SMPROGRAMS\\Acme Support.lnk\"\n"));
    CHECK_THAT(s, !Catch::Contains("/r"));
}

TEST_CASE("A hostile brand name stays inside its NSIS strings") {
    const std::string hostile =
        "Evil\" \n!system \"touch /tmp/pwned\"\nSection ${NSISDIR} $INSTDIR $(^Name) {x}";
    auto in = demo_installer(one_line(hostile));
    in.languages[0].brand_name = hostile;  // a line break reaches nsis_string as it is
    auto script = nsis_script(in);
    REQUIRE(script);
    // No line of the script starts with what the name carries.
    CHECK(lines_starting(*script, "!system").empty());
    CHECK(lines_starting(*script, "Section ${").empty());
    CHECK_THAT(*script,
               Catch::Contains("LangString BrandName ${LANG_ITALIAN} \"Evil$\\\" $\\n!system "
                               "$\\\"touch /tmp/pwned$\\\"$\\nSection $$${U+7B}NSISDIR} "
                               "$$INSTDIR $$(^Name) ${U+7B}x}\"\n"));
    CHECK_THAT(*script, Catch::Contains("\"$SMPROGRAMS\\Evil !system touch tmp pwned Section "
                                        "$$${U+7B}NSISDIR} $$INSTDIR $$(^Name) ${U+7B}x}.lnk\""));
    auto bad_id = demo_installer("Acme");
    bad_id.id = "acme\"support";
    CHECK(!nsis_script(bad_id));
}
