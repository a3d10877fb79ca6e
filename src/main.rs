fn main() -> std::process::ExitCode {
    dunwatch::cli::main()
}
