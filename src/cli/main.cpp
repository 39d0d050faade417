// thermex command-line entry point: parses options, runs one subcommand, and turns any
// exception into one clear line on stderr with a non-zero exit code.
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "commands.hpp"
#include "thermex/error.hpp"

namespace thermex::cli {

Context GlobalOptions::make_context() const {
  return Context::create(
      {.device = parse_device_request(device), .threads = threads, .seed = seed, .quiet = quiet});
}

}  // namespace thermex::cli

int main(int argc, char** argv) {
  using namespace thermex::cli;
  CLI::App app{"thermex: explainable machine learning for cathode thermal-safety (DSC) data"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  app.add_option("--device", global.device, "cpu | cuda | auto (CUDA when a device is present)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  app.add_option("--threads", global.threads, "CPU threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", global.seed, "master random seed");
  app.add_flag("-q,--quiet", global.quiet, "log warnings and errors only");

  add_version_command(app, global);
  add_import_command(app, global);
  add_features_command(app, global);
  add_synth_command(app, global);
  add_summary_command(app, global);
  add_select_command(app, global);
  add_svr_command(app, global);
  add_shap_command(app, global);
  add_study_command(app, global);
  add_merge_command(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const thermex::Error& e) {
    std::fprintf(stderr, "thermex: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "thermex: internal error: %s\n", e.what());
    return 2;
  }
  return 0;
}
