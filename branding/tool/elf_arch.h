#pragma once
// Which Debian architecture a program was built for, read from its ELF header.

#include <filesystem>
#include <string>

#include "shared/result.h"

namespace helpline::brand {

/// "amd64", "arm64", "armhf", ... for an ELF program of one of Debian's architectures;
/// an error naming the file otherwise.
Result<std::string> debian_architecture(const std::filesystem::path& program);

}  // namespace helpline::brand
