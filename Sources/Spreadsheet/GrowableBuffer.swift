/// A manually grown buffer: appending is a bounds check and a copy. `append(_:count:)` copies
/// trivial values only; `append(_:)` takes any value, and `removeAll()` and `release()` end the
/// lifetimes of what it holds (a row's problem may carry a string).
struct GrowableBuffer<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func release() {
        base.deinitialize(count: count)
        base.deallocate()
    }

    mutating func removeAll() {
        base.deinitialize(count: count)
        count = 0
    }

    @inline(__always)
    mutating func append(_ source: UnsafePointer<Element>, count extra: Int) {
        reserve(extra)
        (base + count).update(from: source, count: extra)
        count += extra
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        reserve(1)
        (base + count).initialize(to: element)
        count += 1
    }

    /// The address just past the last element.
    var end: UnsafeMutablePointer<Element> { base + count }

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        grown.moveInitialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}
