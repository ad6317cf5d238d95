#include "client/core/brand.h"

#include <fmt/format.h>

#include "client/core/self_exe.h"

namespace helpline::client {

Result<Brand> load_brand(const std::filesystem::path& executable) {
    auto stamp = read_stamp(executable);
    if (!stamp) return stamp.error();
    Brand brand;
    brand.stamp = std::move(*stamp);
    const auto problems = parse_profile_text(brand.stamp.profile_json, brand.profile);
    if (!problems.empty())
        return make_error(kBrandProfileInvalid,
                          fmt::format("The branding profile in this build is invalid ({}). Stamp it "
                                      "again with a profile that 'helpline-brand validate' accepts.",
                                      problems.front().to_string()));
    return brand;
}

Result<Brand> load_own_brand() {
    auto self = self_executable_path();
    if (!self) return self.error();
    return load_brand(*self);
}

std::string brand_error_advice(const Error& error, const std::string& program) {
    if (error.code == stamp_error::kNotStamped)
        return fmt::format(
            "This copy of {0} is not branded: it carries no team profile, so it does not know which "
            "support team to contact.\nCustomers should use the branded build their support team "
            "gives them. Administrators make one with:\n"
            "  helpline-brand stamp --profile PROFILE.json --key signing-key.pem --client {0} --out DIR\n"
            "If your support team gave you this file, it is incomplete: download it again.",
            program);
    return fmt::format("This build of {} cannot be used: {}", program, error.message);
}

int brand_error_exit_code(const Error& error) {
    return error.code == stamp_error::kNotStamped ? kExitNotBranded : kExitBadStamp;
}

}  // namespace helpline::client
