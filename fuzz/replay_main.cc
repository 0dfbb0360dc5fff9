// The main of a fuzz target built without libFuzzer (the project's GCC build):
// runs every input named on the command line, or every file in a directory
// named there, through LLVMFuzzerTestOneInput once. The tests run the corpus so
// (a crash or abort fails them); tools/fuzz.sh builds the same targets with
// clang and libFuzzer to search for new inputs.
//
//   rpc_fuzzer fuzz/corpus/rpc_fuzzer        -> "rpc_fuzzer: 41 inputs run"
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) inputs.push_back(entry.path());
      }
    } else if (std::filesystem::is_regular_file(arg)) {
      inputs.push_back(arg);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
      return 2;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: %s INPUT_OR_DIRECTORY...: no inputs\n", argv[0]);
    return 2;
  }
  std::sort(inputs.begin(), inputs.end());  // the same order on every machine
  for (const std::filesystem::path& input : inputs) {
    std::ifstream in(input, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu inputs run\n", std::filesystem::path(argv[0]).filename().c_str(),
              inputs.size());
  return 0;
}
