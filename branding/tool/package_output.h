#pragma once
// Where `helpline-brand package` writes what it makes, for every format.

#include <filesystem>

#include "shared/result.h"

namespace helpline::brand {

/// The output folder (--out), created when missing, and writable; the error says to pass
/// another --out.
Status prepare_out_dir(const std::filesystem::path& out);

}  // namespace helpline::brand
