import MinipodSPDY

// libFuzzer harness for the SPDY/3.1 decoder `minipod serve` runs on kubectl's exec and
// port-forward bytes before anything else sees them. The first byte says where the rest
// is cut in two (the decoder must give the same frames whatever the pieces); a finding is
// a crash, a hang, or the two feeds disagreeing. Decoded frames are re-encoded and decoded
// again by a fresh pair, which must give them back.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSPDY(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: start + 1, count: size - 1))
    let cut = bytes.isEmpty ? 0 : Int(start[0]) % (bytes.count + 1)
    let whole = decode([bytes[...]])
    let split = decode([bytes[..<cut], bytes[cut...]])
    precondition(whole.frames == split.frames && whole.failed == split.failed, "the pieces changed what was decoded")
    let encoder = SPDYFrameEncoder()
    let again = decode([encoder.encode(whole.frames)[...]])
    precondition(again.frames == whole.frames && !again.failed, "a decoded frame did not survive re-encoding")
    return 0
}

func decode(_ pieces: [ArraySlice<UInt8>]) -> (frames: [SPDYFrame], failed: Bool) {
    var decoder = SPDYFrameDecoder(maxFrameLength: 1 << 16)
    var frames: [SPDYFrame] = []
    do {
        for piece in pieces {
            decoder.feed(piece)
            while let frame = try decoder.nextFrame() { frames.append(frame) }
        }
        return (frames, false)
    } catch {
        return (frames, true)
    }
}

extension SPDYFrameEncoder {
    func encode(_ frames: [SPDYFrame]) -> [UInt8] { frames.flatMap { encode($0) } }
}
