#pragma once
// The path of the running executable, whose stamp holds the brand.
// Platform code lives in self_exe_<platform>.cpp, chosen by CMake.

#include <filesystem>

#include "shared/result.h"

namespace helpline::client {

Result<std::filesystem::path> self_executable_path();

}  // namespace helpline::client
