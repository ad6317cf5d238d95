// helpline: the branded customer client. Verifies its own stamp before anything else.

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <iostream>

#include "client/core/brand.h"
#include "client/gui/app.h"
#include "client/gui/platform.h"
#include "shared/ed25519.h"

int main(int argc, char** argv) {
    helpline::gui::platform::use_parent_console();
    CLI::App cli{"helpline: ask your support team for help.", "helpline"};
    helpline::gui::AppOptions options;
    bool check = false;
    cli.set_version_flag("--version", HELPLINE_VERSION);
    cli.add_option("--lang", options.language, "User interface language (en, pt, pt_BR, it)");
    cli.add_flag("--check-brand", check, "Verify this build's branding stamp, print it and exit");
    cli.allow_extras();  // GTK/wx options pass through
    cli.footer(
        "Exit codes: 0 success (also when the client already runs: its window is brought to the "
        "front), 1 failure, 2 usage error, 3 not branded, 4 damaged or untrusted stamp.");
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e) == 0 ? 0 : 2;
    }

    auto brand = helpline::client::load_own_brand();
    if (!brand) {
        const std::string advice = helpline::client::brand_error_advice(brand.error(), "helpline");
        std::cerr << advice << '\n';
        if (!check) helpline::gui::show_fatal_error(argc, argv, brand.error(), options.language);
        return helpline::client::brand_error_exit_code(brand.error());
    }
    if (check) {
        std::cout << fmt::format("{}: branded for {} (profile {}, revision {}), signed by {}\n",
                                 "helpline", brand->profile.name.get("en"), brand->profile.id,
                                 brand->profile.revision,
                                 helpline::short_fingerprint(brand->stamp.key));
        return 0;
    }
    options.version = HELPLINE_VERSION;
    return helpline::gui::run_gui(argc, argv, std::move(*brand), std::move(options));
}
