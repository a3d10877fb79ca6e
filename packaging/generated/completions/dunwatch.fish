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
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "show" -d 'Show one message in full: the verdict, every reason with its evidence, the advice'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "mark" -d 'Correct the category of a message (your verdict wins in history and reports)'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "trust" -d 'Trust a sender: its future messages are not called scams'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "block" -d 'Block a sender: its future messages are kept as scams'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "untrust" -d 'Take a sender off the trust or block list'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "senders" -d 'List trusted and blocked senders'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "lenders" -d 'The lenders dunwatch knows, and which of them you have an account with (`lenders add ID`, `lenders remove ID`)'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "stats" -d 'Counts by category, lender and week'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "feedback" -d 'Your corrections, for `rules eval`'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "learn" -d 'What your corrections taught (`learn`), or forget it (`learn forget`)'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "report" -d 'A summary for a week or a date range, as Markdown, HTML or JSON'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "ui" -d 'Review in the browser: the messages, the verdicts and why, corrections, senders, import problems (a page on 127.0.0.1, only while you use it)'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "evidence" -d 'Export messages as evidence with hashes (`evidence --out DIR`), or check an export (`evidence verify DIR`)'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "config" -d 'Configuration helpers'
complete -c dunwatch -n "__fish_dunwatch_needs_command" -f -a "rules" -d 'Check, test and measure the rule packs'
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
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -l time -d 'When it was received, as RFC 3339 (`2026-11-18T23:40:00+08:00`): the hour is judged in that offset, as `classify` judges its `ts`' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -l json -d 'Print the verdict as JSON instead of prose'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -l details -d 'Also list the rules that fired, by id (for a bug report or `rules explain`)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand check" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l category -d 'Only this category (repeatable)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l lender -d 'Only this lender id (webank, meituan, …)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l sender -d 'Only from this sender (any spelling: +86 138…, 138…)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l since -d 'Only messages since a duration ago (7d, 24h, 2w) or a date (2026-11-01)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l until -d 'Only messages before this date or time (local)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l search -d 'Only messages whose text or sender contains this (Chinese works: 逾期, 微粒贷)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l limit -d 'At most this many (0 = no limit)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l json -d 'JSON Lines output (one message per line)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -l all -d 'Include `other` (by default only scam, overdue, harassment and reminder)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand history" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand show" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand show" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand show" -l json -d 'Print as one JSON object (with the history\'s reasons in `context_reasons`)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand show" -l details -d 'Also list the rules that fired, by id (for a bug report or `rules explain`)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand show" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand mark" -l as -d 'The right category: scam, overdue, harassment, reminder or other' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand mark" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand mark" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand mark" -l clear -d 'Forget your correction; the engine\'s category applies again'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand mark" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand trust" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand trust" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand trust" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand block" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand block" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand block" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand untrust" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand untrust" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand untrust" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand senders" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand senders" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand senders" -l json -d 'JSON Lines output'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand senders" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and not __fish_seen_subcommand_from add remove help" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and not __fish_seen_subcommand_from add remove help" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and not __fish_seen_subcommand_from add remove help" -l json -d 'JSON Lines output, one lender per line'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and not __fish_seen_subcommand_from add remove help" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and not __fish_seen_subcommand_from add remove help" -f -a "add" -d 'Say you have an account with these lenders (ids or names: webank, 微众银行, 微粒贷)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and not __fish_seen_subcommand_from add remove help" -f -a "remove" -d 'Say you have no account with these lenders (this also dismisses one seen in your messages)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and not __fish_seen_subcommand_from add remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and __fish_seen_subcommand_from add" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and __fish_seen_subcommand_from add" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and __fish_seen_subcommand_from remove" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and __fish_seen_subcommand_from remove" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and __fish_seen_subcommand_from help" -f -a "add" -d 'Say you have an account with these lenders (ids or names: webank, 微众银行, 微粒贷)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Say you have no account with these lenders (this also dismisses one seen in your messages)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand lenders; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand stats" -l since -d 'Only messages since a duration ago (7d, 4w) or a date (2026-11-01)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand stats" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand stats" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand stats" -l json -d 'One JSON object instead of tables'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand stats" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and not __fish_seen_subcommand_from export help" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and not __fish_seen_subcommand_from export help" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and not __fish_seen_subcommand_from export help" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and not __fish_seen_subcommand_from export help" -f -a "export" -d 'Write the messages you corrected with `mark` as labelled JSON Lines'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and not __fish_seen_subcommand_from export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and __fish_seen_subcommand_from export" -l out -d 'Write to this file (readable by you only) instead of standard output' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and __fish_seen_subcommand_from export" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and __fish_seen_subcommand_from export" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and __fish_seen_subcommand_from export" -l all -d 'Also export messages you did not correct, labelled with the engine\'s category'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the messages you corrected with `mark` as labelled JSON Lines'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand feedback; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and not __fish_seen_subcommand_from forget help" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and not __fish_seen_subcommand_from forget help" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and not __fish_seen_subcommand_from forget help" -l json -d 'One JSON object instead of text'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and not __fish_seen_subcommand_from forget help" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and not __fish_seen_subcommand_from forget help" -f -a "forget" -d 'Forget what your corrections taught so far (the corrections themselves stay); only corrections made from now on are learned from'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and not __fish_seen_subcommand_from forget help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and __fish_seen_subcommand_from forget" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and __fish_seen_subcommand_from forget" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and __fish_seen_subcommand_from forget" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and __fish_seen_subcommand_from help" -f -a "forget" -d 'Forget what your corrections taught so far (the corrections themselves stay); only corrections made from now on are learned from'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand learn; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand report" -l from -d 'First day of a range (local date, e.g. 2026-11-01)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand report" -l to -d 'Last day of a range, included' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand report" -l format -d 'Markdown, HTML or JSON' -r -f -a "md\t''
html\t''
json\t''"
complete -c dunwatch -n "__fish_dunwatch_using_subcommand report" -l out -d 'Write to this file (readable by you only) instead of standard output' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand report" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand report" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand report" -l week -d 'This Monday–Sunday week, in the local time zone (the default)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand report" -l last-week -d 'The previous complete Monday–Sunday week (what the weekly summary covers)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand report" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand ui" -l port -d 'Listen on this port of 127.0.0.1 (default: a free one)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand ui" -l open -d 'The page to show first, e.g. /messages/42 (alerts use this)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand ui" -l idle-ms -d 'Stop after this many milliseconds without a request (default 30 minutes)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand ui" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand ui" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand ui" -l no-browser -d 'Print the page\'s address as the first line instead of opening a browser'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand ui" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l out -d 'The new folder to write (must not exist or be empty); readable by you only' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l lender -d 'Only this lender id (webank, meituan, …)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l sender -d 'Only from this sender (any spelling)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l since -d 'Only messages since a duration ago (30d) or a date (2026-11-01)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l until -d 'Only messages before this local date or time' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l category -d 'Only this category (repeatable; default: scam, overdue, harassment, reminder)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l search -d 'Only messages containing this text' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l all -d 'Every category, `other` included'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -l with-sources -d 'Also copy the backup files the messages came from into DIR/sources/ (hashed in the manifest like every other file)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check that an evidence folder is exactly as exported: every file, every message, and the manifest\'s SHA-256 against the one recorded in the database when it was made (or against --expect). Exit 0 intact; 1 naming what changed; 2 when there is nothing to check the manifest against (no record, no --expect)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l expect -d 'The manifest SHA-256 printed when the export was made: checks the folder on a computer without that database' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check that an evidence folder is exactly as exported: every file, every message, and the manifest\'s SHA-256 against the one recorded in the database when it was made (or against --expect). Exit 0 intact; 1 naming what changed; 2 when there is nothing to check the manifest against (no record, no --expect)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and not __fish_seen_subcommand_from check test explain eval help" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and not __fish_seen_subcommand_from check test explain eval help" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and not __fish_seen_subcommand_from check test explain eval help" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and not __fish_seen_subcommand_from check test explain eval help" -f -a "check" -d 'Validate the shipped and user rule files; bad patterns are named with file and line'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and not __fish_seen_subcommand_from check test explain eval help" -f -a "test" -d 'Run the examples every rule carries (each must fire; each not_example must not)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and not __fish_seen_subcommand_from check test explain eval help" -f -a "explain" -d 'Show what a message holds for the schemas: the concepts whose terms occur, the rules that fire and the facts that hold, each with its words'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and not __fish_seen_subcommand_from check test explain eval help" -f -a "eval" -d 'Measure the engine on labelled JSON Lines: {"body": …, "sender": …, "label": "scam"}'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and not __fish_seen_subcommand_from check test explain eval help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from check" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from check" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from test" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from test" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from explain" -l sender -d 'Its sender' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from explain" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from explain" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from explain" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from eval" -l show -d 'How many wrong verdicts to list (0 = none)' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from eval" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from eval" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from eval" -s h -l help -d 'Print help'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the shipped and user rule files; bad patterns are named with file and line'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run the examples every rule carries (each must fire; each not_example must not)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "explain" -d 'Show what a message holds for the schemas: the concepts whose terms occur, the rules that fire and the facts that hold, each with its words'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "eval" -d 'Measure the engine on labelled JSON Lines: {"body": …, "sender": …, "label": "scam"}'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l debounce-ms -d 'How long a file must stay unchanged before it is read, in milliseconds' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l stale-ms -d 'How long a half-written file may stay unchanged before it is reported, in ms' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l retry-ms -d 'How long to wait before asking the notification server again, in ms' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l store-retry-ms -d 'How long to wait before importing again after the database refused a write, in ms' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l poll-ms -d 'How often folders are looked at when polled, in ms' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l commit-ms -d 'Longest an import keeps a transaction open, in ms' -r
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l db -d 'The SQLite database with the history' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l config -d 'The configuration file (TOML)' -r -F
complete -c dunwatch -n "__fish_dunwatch_using_subcommand run" -l poll -d 'Look at the folders every few seconds instead of waiting for change events from the system (for folders on network filesystems, which send none)'
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
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "scan" -d 'Import backup files or folders once (format detected from content)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "classify" -d 'Classify JSON Lines messages from stdin, one verdict per line on stdout'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "check" -d 'Explain the verdict on one message'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "history" -d 'List stored messages, newest first'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "show" -d 'Show one message in full: the verdict, every reason with its evidence, the advice'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "mark" -d 'Correct the category of a message (your verdict wins in history and reports)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "trust" -d 'Trust a sender: its future messages are not called scams'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "block" -d 'Block a sender: its future messages are kept as scams'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "untrust" -d 'Take a sender off the trust or block list'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "senders" -d 'List trusted and blocked senders'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "lenders" -d 'The lenders dunwatch knows, and which of them you have an account with (`lenders add ID`, `lenders remove ID`)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "stats" -d 'Counts by category, lender and week'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "feedback" -d 'Your corrections, for `rules eval`'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "learn" -d 'What your corrections taught (`learn`), or forget it (`learn forget`)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "report" -d 'A summary for a week or a date range, as Markdown, HTML or JSON'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "ui" -d 'Review in the browser: the messages, the verdicts and why, corrections, senders, import problems (a page on 127.0.0.1, only while you use it)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "evidence" -d 'Export messages as evidence with hashes (`evidence --out DIR`), or check an export (`evidence verify DIR`)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "config" -d 'Configuration helpers'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "rules" -d 'Check, test and measure the rule packs'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "run" -d 'The daemon: watch the backup folders, import, alert on the desktop (foreground)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "service" -d 'Start dunwatch at login: install, uninstall, or check the service'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "doctor" -d 'Paths, config, folders, database, rules, notifications and service: what a bug report needs'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "generate" -d 'Write man pages, shell completions and the packaged unit (for packagers)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and not __fish_seen_subcommand_from scan classify check history show mark trust block untrust senders lenders stats feedback learn report ui evidence config rules run service doctor generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from lenders" -f -a "add" -d 'Say you have an account with these lenders (ids or names: webank, 微众银行, 微粒贷)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from lenders" -f -a "remove" -d 'Say you have no account with these lenders (this also dismisses one seen in your messages)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from feedback" -f -a "export" -d 'Write the messages you corrected with `mark` as labelled JSON Lines'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from learn" -f -a "forget" -d 'Forget what your corrections taught so far (the corrections themselves stay); only corrections made from now on are learned from'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "verify" -d 'Check that an evidence folder is exactly as exported: every file, every message, and the manifest\'s SHA-256 against the one recorded in the database when it was made (or against --expect). Exit 0 intact; 1 naming what changed; 2 when there is nothing to check the manifest against (no record, no --expect)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "default" -d 'Print the commented default configuration'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print where the config file, database and rules are'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "check" -d 'Validate the shipped and user rule files; bad patterns are named with file and line'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "test" -d 'Run the examples every rule carries (each must fire; each not_example must not)'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "explain" -d 'Show what a message holds for the schemas: the concepts whose terms occur, the rules that fire and the facts that hold, each with its words'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "eval" -d 'Measure the engine on labelled JSON Lines: {"body": …, "sender": …, "label": "scam"}'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "install" -d 'Write the service file for this binary and start it now and at every login'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "uninstall" -d 'Stop and unregister the service, then delete its file'
complete -c dunwatch -n "__fish_dunwatch_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "status" -d 'Whether the service is installed, registered, running, and runs this binary'
