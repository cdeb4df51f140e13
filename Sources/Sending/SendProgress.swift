/// Where a send stands, for a progress bar or periodic lines.
public struct ProgressSnapshot: Sendable, Equatable {
    public var batchesTotal: Int
    public var batchesCreated: Int
    public var recipientsTotal: Int
    public var giftLinksCollected: Int
    /// Requests a second over the last few seconds.
    public var requestRate: Double
    public var elapsedSeconds: Double

    public init(
        batchesTotal: Int, batchesCreated: Int, recipientsTotal: Int, giftLinksCollected: Int, requestRate: Double,
        elapsedSeconds: Double
    ) {
        self.batchesTotal = batchesTotal
        self.batchesCreated = batchesCreated
        self.recipientsTotal = recipientsTotal
        self.giftLinksCollected = giftLinksCollected
        self.requestRate = requestRate
        self.elapsedSeconds = elapsedSeconds
    }

    /// Seconds left at the pace so far, once there is a pace.
    public var etaSeconds: Double? {
        let done = Double(batchesCreated + giftLinksCollected)
        let total = Double(batchesTotal + recipientsTotal)
        guard done > 0, elapsedSeconds > 0.5, total > done else { return nil }
        return elapsedSeconds / done * (total - done)
    }
}

/// Receives progress during a send.
public protocol SendProgress: Sendable {
    func update(_ snapshot: ProgressSnapshot)
    /// Something a person should read now (a recovered batch, a refused one).
    func note(_ message: String)
    /// The send is over; a progress bar clears itself.
    func finish()
}
