#pragma once
// How helpline-brand shows profiles and problems, as text and as JSON.

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "shared/profile.h"

namespace helpline::brand {

void print_profile_summary(std::ostream& out, const Profile& profile);
nlohmann::ordered_json profile_summary_json(const Profile& profile);

/// "FILE: N problem(s):" then one "  path: message" line per problem.
void print_problems(std::ostream& out, const std::string& file,
                    const std::vector<ProfileProblem>& problems);
nlohmann::ordered_json problems_json(const std::vector<ProfileProblem>& problems);

}  // namespace helpline::brand
