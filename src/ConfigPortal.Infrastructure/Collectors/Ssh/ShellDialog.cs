using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Configs;

namespace ConfigPortal.Infrastructure.Collectors.Ssh;

/// <summary>
/// The interactive side of a collection: wait for the prompt, enter enable mode, run the setup commands, run the
/// config commands while answering the pager, and cut each command's output between its echo and the next prompt.
/// Nothing read from the device is ever put into an exception message.
/// </summary>
internal sealed partial class ShellDialog(Stream stream, ShellReader reader, VendorProfile profile, SshCollectorOptions options)
{
    private readonly StringBuilder _buffer = new();
    private string? _prompt;

    /// <summary>Pager erase sequences: backspaces over spaces (IOS) or a carriage return over spaces (ASA, FortiOS).</summary>
    [GeneratedRegex(@"\x08+ *\x08+|\r {2,}\r(?!\n)", RegexOptions.CultureInvariant)]
    private static partial Regex PagerErase();

    [GeneratedRegex(@"(?i)password:\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex PasswordPrompt();

    private enum Waited { Prompt, Password, Closed, TimedOut }

    /// <summary>The prompt the device showed last, as learned from its output (e.g. "core-rtr1#").</summary>
    public string? Prompt => _prompt;

    /// <summary>
    /// Waits for the first prompt and confirms it. A banner line can look like a prompt, so the dialog presses Enter
    /// once: a device at its prompt answers at once with the same prompt on a new line, and two identical prompt
    /// lines in a row are the prompt (one round trip). Once the Enter was answered (a line break came back), output that
    /// stays quiet for <see cref="SshCollectorOptions.PromptSettleTime"/> after a prompt also makes it the prompt; a
    /// device that leaves the Enter unanswered is trusted after ten settle times. Never before its answer, otherwise that
    /// answer (a second prompt) would arrive inside the first command's output.
    /// </summary>
    public async Task LoginAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await WaitAsync(IsAnyPrompt, answerMore: true, password: false, options.CommandTimeout, ct);
        ThrowIfNoLoginPrompt(result);

        var candidate = TailLine().Trim();
        var newLineSinceCandidate = false;
        await SendAsync("", ct);
        var enterSent = Stopwatch.GetTimestamp();
        var enterAnswered = false; // a line break arrived after the Enter (its echo, at least)
        while (true)
        {
            var remaining = options.CommandTimeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) ThrowIfNoLoginPrompt(Waited.TimedOut);
            var chunk = await reader.ReadAsync(remaining < options.PromptSettleTime ? remaining : options.PromptSettleTime, ct);
            if (chunk is null)
            {
                if (reader.Closed) ThrowIfNoLoginPrompt(Waited.Closed);
                // Quiet, but the Enter not even echoed yet: the device is busy, and its answer (a prompt) would arrive
                // later, in the middle of the first command's output. Wait for it, up to EnterAnswerGrace for a device
                // that ignores input at its prompt.
                if (!enterAnswered && Stopwatch.GetElapsedTime(enterSent) < EnterAnswerGrace) continue;
                // Quiet: a prompt at the end of the output is the prompt (the device ignored the Enter, or answered it
                // before printing its first prompt, so both prompts share one line).
                var tail = TailLine();
                if (tail.Length > 0 && IsAnyPrompt(tail)) break;
                if (DoubledPrompt(tail) is { } half) { _buffer.Clear(); _buffer.Append(half); break; }
                continue; // not at a prompt yet (a slow banner): keep reading until the command timeout
            }
            _buffer.Append(chunk);
            enterAnswered |= chunk.Contains('\n', StringComparison.Ordinal);
            var last = TailLine();
            if (await AnswerMoreAsync(last, ct))
                continue;
            if (last.Length > 0 && IsAnyPrompt(last))
            {
                var line = last.Trim();
                // The newline must be in this chunk before the tail, or in an earlier chunk since the candidate.
                newLineSinceCandidate |= chunk.Contains('\n', StringComparison.Ordinal);
                if (newLineSinceCandidate && string.Equals(line, candidate, StringComparison.Ordinal)) break;
                if (!string.Equals(line, candidate, StringComparison.Ordinal))
                {
                    candidate = line;
                    newLineSinceCandidate = false;
                }
            }
            else if (chunk.Contains('\n', StringComparison.Ordinal))
            {
                newLineSinceCandidate = true;
            }
        }
        _prompt = TailLine().Trim();
        _buffer.Clear();
    }

    /// <summary>How long a quiet device may leave the login's Enter unanswered before its prompt is trusted anyway.</summary>
    private TimeSpan EnterAnswerGrace => options.PromptSettleTime * 10;

    private void ThrowIfNoLoginPrompt(Waited result)
    {
        switch (result)
        {
            case Waited.Closed:
                throw new BackupFailedException(FailureKind.TruncatedOutput, "The device closed the session before showing a prompt.");
            case Waited.TimedOut:
                throw new BackupFailedException(FailureKind.Timeout, $"The device did not show a {profile.DisplayName} prompt within {Seconds(options.CommandTimeout)} s of logging in.");
        }
    }

    /// <summary>"R1#R1#": the answer to an Enter typed ahead of the first prompt, printed on the prompt's line.</summary>
    private string? DoubledPrompt(string tail)
    {
        var t = tail.Trim();
        if (t.Length < 2 || t.Length % 2 != 0) return null;
        var half = t[..(t.Length / 2)];
        return string.Equals(half, t[(t.Length / 2)..], StringComparison.Ordinal) && IsAnyPrompt(half) ? half : null;
    }

    public async Task EnableIfNeededAsync(string? enableSecret, string credentialName, CancellationToken ct)
    {
        if (profile.EnableCommand is not { } enable || profile.UnprivilegedPrompt is not { } unprivileged || _prompt is null || !unprivileged.IsMatch(_prompt))
            return;

        await SendAsync(enable, ct);
        var result = await WaitAsync(IsAnyPrompt, answerMore: false, password: true, options.CommandTimeout, ct);
        if (result == Waited.Password)
        {
            if (string.IsNullOrEmpty(enableSecret))
                throw new BackupFailedException(FailureKind.AuthenticationFailed, $"The device asks for an enable secret and credential profile '{credentialName}' has none.");
            _buffer.Clear();
            await SendAsync(enableSecret, ct);
            result = await WaitAsync(IsAnyPrompt, answerMore: false, password: true, options.CommandTimeout, ct);
            if (result == Waited.Password)
                throw new BackupFailedException(FailureKind.AuthenticationFailed, $"The device refused the enable secret of credential profile '{credentialName}'.");
        }
        ThrowIfNotPrompt(result, enable);
        _prompt = TailLine().Trim();
        _buffer.Clear();
        if (unprivileged.IsMatch(_prompt))
            throw new BackupFailedException(FailureKind.AuthenticationFailed, $"The device did not enter privileged mode with credential profile '{credentialName}'.");
    }

    /// <summary>Runs a command whose output is not kept (paging off, terminal width).</summary>
    public async Task SetupAsync(string command, CancellationToken ct)
    {
        await SendAsync(command, ct);
        var result = await WaitAsync(IsLearnedPrompt, answerMore: true, password: false, options.CommandTimeout, ct);
        if (result == Waited.TimedOut)
            throw new BackupFailedException(FailureKind.Timeout, $"The device did not answer '{command}' within {Seconds(options.CommandTimeout)} s.");
        ThrowIfNotPrompt(result, command);
        _buffer.Clear();
    }

    /// <summary>Runs a command and returns its output, without the echo and the final prompt.</summary>
    public async Task<string> RunAsync(string command, CancellationToken ct)
    {
        await SendAsync(command, ct);
        var result = await WaitAsync(IsLearnedPrompt, answerMore: true, password: false, options.CommandTimeout, ct);
        switch (result)
        {
            case Waited.Closed:
                throw new BackupFailedException(FailureKind.TruncatedOutput, $"The device closed the session in the middle of the output of '{command}' ({LineCount()} lines received).");
            case Waited.TimedOut:
                throw new BackupFailedException(FailureKind.TruncatedOutput, $"No prompt after '{command}' within {Seconds(options.CommandTimeout)} s: the output is incomplete ({LineCount()} lines received).");
        }

        var text = _buffer.ToString();
        _buffer.Clear();
        // Drop the final prompt line.
        var lastBreak = text.LastIndexOf('\n');
        text = lastBreak >= 0 ? text[..(lastBreak + 1)] : "";
        // Drop the echo of the command.
        var firstBreak = text.IndexOf('\n');
        if (firstBreak >= 0 && Clean(text[..firstBreak]).Trim().EndsWith(command, StringComparison.Ordinal))
            text = text[(firstBreak + 1)..];
        return PagerErase().Replace(text, "");
    }

    private void ThrowIfNotPrompt(Waited result, string command)
    {
        switch (result)
        {
            case Waited.Closed:
                throw new BackupFailedException(FailureKind.TruncatedOutput, $"The device closed the session after '{command}'.");
            case Waited.TimedOut:
                throw new BackupFailedException(FailureKind.Timeout, $"The device did not show its prompt after '{command}' within {Seconds(options.CommandTimeout)} s.");
            case Waited.Password:
                throw new BackupFailedException(FailureKind.CommandRejected, $"The device asked for a password after '{command}'.");
        }
    }

    private async Task SendAsync(string line, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        await stream.WriteAsync(bytes, ct);
        await stream.FlushAsync(ct);
    }

    private bool IsAnyPrompt(string tail) => profile.Prompt.IsMatch(tail);

    private bool IsLearnedPrompt(string tail) =>
        _prompt is null ? profile.Prompt.IsMatch(tail) : string.Equals(tail.Trim(), _prompt, StringComparison.Ordinal);

    private async Task<Waited> WaitAsync(Func<string, bool> isPrompt, bool answerMore, bool password, TimeSpan timeout, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var tail = TailLine();
            if (answerMore && await AnswerMoreAsync(tail, ct))
                continue;
            if (password && PasswordPrompt().IsMatch(tail))
                return Waited.Password;
            if (tail.Length > 0 && isPrompt(tail))
                return Waited.Prompt;

            var remaining = timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) return Waited.TimedOut;
            var chunk = await reader.ReadAsync(remaining, ct);
            if (chunk is null) return reader.Closed ? Waited.Closed : Waited.TimedOut;
            _buffer.Append(chunk);
        }
    }

    /// <summary>When the output stops at the vendor's pager prompt: removes it and presses space. False otherwise.</summary>
    private async Task<bool> AnswerMoreAsync(string tail, CancellationToken ct)
    {
        if (profile.MorePrompt is not { } more || more.Match(tail) is not { Success: true } m)
            return false;
        RemoveMore(tail, m);
        await SendRawAsync(" ", ct);
        return true;
    }

    private async Task SendRawAsync(string text, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct);
        await stream.FlushAsync(ct);
    }

    /// <summary>Removes the pager prompt at the end of the buffer (the whole line when it holds nothing else).</summary>
    private void RemoveMore(string tail, Match match)
    {
        var raw = RawTail();
        var before = tail[..match.Index];
        var cut = string.IsNullOrWhiteSpace(before) ? raw.Length : raw.Length - Math.Max(0, tail.Length - match.Index);
        _buffer.Length -= Math.Min(cut, _buffer.Length);
    }

    private string RawTail()
    {
        var s = _buffer.ToString();
        var i = s.LastIndexOf('\n');
        return i >= 0 ? s[(i + 1)..] : s;
    }

    /// <summary>The last line of the buffer as a terminal would show it (escape codes and overwritten text removed).</summary>
    private string TailLine()
    {
        var tail = Clean(RawTail());
        var cr = tail.LastIndexOf('\r');
        if (cr >= 0)
        {
            var after = tail[(cr + 1)..];
            tail = after.Trim().Length > 0 ? after : tail[..cr];
            cr = tail.LastIndexOf('\r');
            if (cr >= 0) tail = tail[(cr + 1)..];
        }
        return tail;
    }

    private static string Clean(string text)
    {
        text = ConfigNormalizer.StripTerminalEscapes(text);
        if (!text.Contains('\b', StringComparison.Ordinal)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '\b') { if (sb.Length > 0) sb.Length--; }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private int LineCount()
    {
        var n = 0;
        for (var i = 0; i < _buffer.Length; i++)
            if (_buffer[i] == '\n') n++;
        return n;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}
