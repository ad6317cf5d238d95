#include "branding/tool/brand_cli.h"

#include <CLI/CLI.hpp>

#include "branding/tool/commands.h"

namespace helpline::brand {

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CLI::App app{"helpline-brand: turn a branding profile into a signed, branded Helpline client.",
                 "helpline-brand"};
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", HELPLINE_VERSION);
    app.footer("Exit codes: 0 success, 1 invalid input (profile, key, file or stamp), 2 usage error.\n"
               "Documentation: docs/branding.md, docs/profile.md and docs/installer.md.");

    KeygenOptions keygen_options;
    auto* keygen_cmd = app.add_subcommand("keygen", "Create the team's Ed25519 signing key pair");
    keygen_cmd->add_option("--out", keygen_options.out_dir, "Folder for signing-key.pem and signing-key.pub")
        ->required();
    keygen_cmd->add_flag("--force", keygen_options.force, "Overwrite an existing key pair");

    ValidateOptions validate_options;
    auto* validate_cmd = app.add_subcommand("validate", "Check a branding profile, reporting every problem");
    validate_cmd->add_option("profile", validate_options.profile, "Profile JSON file (or its folder)")
        ->required();
    validate_cmd->add_flag("--json", validate_options.json, "Machine-readable output");

    StampOptions stamp_options;
    auto* stamp_cmd = app.add_subcommand("stamp", "Make a branded client: base executable + signed profile");
    stamp_cmd->add_option("--profile", stamp_options.profile, "Profile JSON file (or its folder)")->required();
    stamp_cmd->add_option("--key", stamp_options.key, "The team's private key (signing-key.pem)")->required();
    stamp_cmd->add_option("--client", stamp_options.client, "The prebuilt helpline or helpline-cli executable")
        ->required();
    stamp_cmd->add_option("--out", stamp_options.out,
                          "Output file or folder (default: named after the profile id, here)");
    stamp_cmd->add_flag("--restamp", stamp_options.restamp, "Replace the stamp of an already branded client");

    PackageOptions package_options;
    auto* package_cmd =
        app.add_subcommand("package", "Make a brand's .deb and .tar.gz, or Windows installer, for customers");
    package_cmd->add_option("--profile", package_options.profile, "Profile JSON file (or its folder)")->required();
    package_cmd->add_option("--key", package_options.key, "The team's private key (signing-key.pem)")->required();
    package_cmd->add_option("--client", package_options.base,
                            "The client base: the folder of unbranded clients (default: ../lib/helpline/client-base beside this program, client-base-windows for nsis)");
    package_cmd->add_option("--format", package_options.formats, "deb, tgz or both; or nsis (the Windows installer)")
        ->capture_default_str();
    package_cmd->add_option("--out", package_options.out, "Folder for the packages (default: here)");

    InspectOptions inspect_options;
    auto* inspect_cmd =
        app.add_subcommand("inspect", "Show and verify the stamp of a branded client or package");
    inspect_cmd->add_option("file", inspect_options.binary, "Branded executable, .deb, .tar.gz or Windows installer")->required();
    inspect_cmd->add_flag("--json", inspect_options.json, "Machine-readable output");

    SignProfileOptions sign_options;
    auto* sign_cmd = app.add_subcommand("sign-profile", "Sign a profile update for publishing on the team server");
    sign_cmd->add_option("--profile", sign_options.profile, "Profile JSON file (or its folder)")->required();
    sign_cmd->add_option("--key", sign_options.key, "The team's private key (signing-key.pem)")->required();
    sign_cmd->add_option("--out", sign_options.out, "Envelope file (default: <id>-r<revision>.envelope.json)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e, out, err);
        return code == 0 ? kExitOk : kExitUsage;
    }

    const Io io{out, err};
    if (app.get_subcommands().empty()) {
        err << "error: no command given. Commands: keygen, validate, stamp, package, inspect, sign-profile.\n"
               "Run 'helpline-brand --help' for more.\n";
        return kExitUsage;
    }
    if (*keygen_cmd) return keygen(keygen_options, io);
    if (*validate_cmd) return validate(validate_options, io);
    if (*stamp_cmd) return stamp(stamp_options, io);
    if (*package_cmd) return package(package_options, io);
    if (*inspect_cmd) return inspect(inspect_options, io);
    return sign_profile(sign_options, io);
}

}  // namespace helpline::brand
