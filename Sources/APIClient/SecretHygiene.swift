#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a process holding an API key does so the key does not outlive it on disk.
public enum SecretHygiene {
    /// No core dump from here on: one would hold the key (and the recipients' data) in the clear.
    /// Lowers the hard limit too, so nothing in this process can raise it again. (Linux's
    /// `PR_SET_DUMPABLE` would also refuse `ptrace` by the same user, but `prctl` is a variadic C
    /// function Swift cannot call; the core limit is what keeps the key off the disk.)
    public static func disableCoreDumps() {
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
    }
}
