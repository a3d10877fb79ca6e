# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_dunwatch_global_optspecs
    string join \n db= config= h/help V/version
end

function __fish_dunwatch_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_dunwatch_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_dunwatch_using_subcommand
    set -l cmd (__fish_dunwatch_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c dunwatch -n "__fish_dunwatch_needs_command" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_needs_command" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_needs_command" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -s V -l version -d 'Print version'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "scan" -d 'Import backup files or folders once (format detected from content)'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "classify" -d 'Classify JSON Lines messages from stdin, one verdict per line on stdout'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "check" -d 'Explain the verdict on one message'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "history" -d 'List stored messages, newest first'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "config" -d 'Configuration helpers'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "run" -d 'The daemon: watch the backup folders, import, alert on the desktop (foreground)'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "service" -d 'Start dunwatch at login: install, uninstall, or check the service'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "doctor" -d 'Paths, config, folders, database, rules, notifications and service: what a bug report needs'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "generate" -d 'Write man pages, shell completions and the packaged unit (for packagers)'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand scan" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand scan" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand scan" -s q -l quiet -d 'No progress bar'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand scan" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand classify" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand classify" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand classify" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -s s -l sender -d 'Who sent it (number or name), as the phone shows it' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -l json -d 'Print the verdict as JSON instead of prose'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l category -d 'Only this category (repeatable)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l lender -d 'Only this lender id (webank, meituan, …)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l sender -d 'Only from this sender (any spelling: +86 138…, 138…)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l since -d 'Only messages since a duration ago (7d, 24h, 2w) or a date (2026-11-01)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l search -d 'Only messages whose text or sender contains this (Chinese works)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l limit -d 'At most this many (0 = no limit)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l json -d 'JSON Lines output (one message per line)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l all -d 'Include `other` (by default only scam, overdue, harassment and reminder)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and not __fish_seen_subcommand_from default path help" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and not __fish_seen_subcommand_from default path help" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and not __fish_seen_subcommand_from default path help" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and not __fish_seen_subcommand_from default path help" -f -a "default" -d 'Print the commented default configuration'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and not __fish_seen_subcommand_from default path help" -f -a "path" -d 'Print where the config file, database and rules are'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and not __fish_seen_subcommand_from default path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and __fish_seen_subcommand_from default" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and __fish_seen_subcommand_from default" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and __fish_seen_subcommand_from default" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and __fish_seen_subcommand_from path" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "default" -d 'Print the commented default configuration'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print where the config file, database and rules are'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l debounce-ms -d 'How long a file must stay unchanged before it is read, in milliseconds' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l stale-ms -d 'How long a half-written file may stay unchanged before it is reported, in ms' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l retry-ms -d 'How long to wait before asking the notification server again, in ms' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -f -a "install" -d 'Write the service file for this binary and start it now and at every login'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -f -a "uninstall" -d 'Stop and unregister the service, then delete its file'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -f -a "status" -d 'Whether the service is installed, registered, running, and runs this binary'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from install" -l backend -d 'Which service manager (default: launchd on macOS, the Run key on Windows, systemd where a systemd user instance answers, else XDG autostart)' -r -f -a "systemd\t'systemd user unit (Linux with a systemd user instance)'
xdg\t'XDG autostart .desktop file (Linux/BSD desktops without systemd)'
launchd\t'macOS LaunchAgent'
windows\t'Windows per-user Run key'"
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from install" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from install" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from install" -l no-start -d 'Only write (or delete, or read) the files: call no service manager, start or stop nothing'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from uninstall" -l backend -d 'Which service manager (default: launchd on macOS, the Run key on Windows, systemd where a systemd user instance answers, else XDG autostart)' -r -f -a "systemd\t'systemd user unit (Linux with a systemd user instance)'
xdg\t'XDG autostart .desktop file (Linux/BSD desktops without systemd)'
launchd\t'macOS LaunchAgent'
windows\t'Windows per-user Run key'"
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from uninstall" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from uninstall" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from uninstall" -l no-start -d 'Only write (or delete, or read) the files: call no service manager, start or stop nothing'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from status" -l backend -d 'Which service manager (default: launchd on macOS, the Run key on Windows, systemd where a systemd user instance answers, else XDG autostart)' -r -f -a "systemd\t'systemd user unit (Linux with a systemd user instance)'
xdg\t'XDG autostart .desktop file (Linux/BSD desktops without systemd)'
launchd\t'macOS LaunchAgent'
windows\t'Windows per-user Run key'"
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from status" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from status" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from status" -l no-start -d 'Only write (or delete, or read) the files: call no service manager, start or stop nothing'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "install" -d 'Write the service file for this binary and start it now and at every login'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Stop and unregister the service, then delete its file'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "status" -d 'Whether the service is installed, registered, running, and runs this binary'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand doctor" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand doctor" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand generate" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand generate" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "scan" -d 'Import backup files or folders once (format detected from content)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "classify" -d 'Classify JSON Lines messages from stdin, one verdict per line on stdout'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "check" -d 'Explain the verdict on one message'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "history" -d 'List stored messages, newest first'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "config" -d 'Configuration helpers'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "run" -d 'The daemon: watch the backup folders, import, alert on the desktop (foreground)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "service" -d 'Start dunwatch at login: install, uninstall, or check the service'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "doctor" -d 'Paths, config, folders, database, rules, notifications and service: what a bug report needs'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "generate" -d 'Write man pages, shell completions and the packaged unit (for packagers)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history config run service doctor generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "default" -d 'Print the commented default configuration'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print where the config file, database and rules are'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "install" -d 'Write the service file for this binary and start it now and at every login'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "uninstall" -d 'Stop and unregister the service, then delete its file'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "status" -d 'Whether the service is installed, registered, running, and runs this binary'
