#include "branding/tool/package_output.h"

#include <fmt/format.h>
#include <unistd.h>

namespace helpline::brand {

namespace fs = std::filesystem;

Status prepare_out_dir(const fs::path& out) {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec || !fs::is_directory(out) || ::access(out.c_str(), W_OK | X_OK) != 0)
        return make_error(
            "out.unwritable",
            fmt::format("cannot write the packages into the folder '{}'{}. Pass --out with a "
                        "folder you can write to.",
                        out.string(),
                        ec ? ": " + ec.message() : std::string(": permission denied")),
            out.string());
    return Ok{};
}

}  // namespace helpline::brand
