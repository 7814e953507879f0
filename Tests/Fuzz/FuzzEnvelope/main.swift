import FuzzSupport
import TTRPC

/// libFuzzer target: the ttrpc envelope, `ttrpc.Request` (what the server
/// decodes from every request frame) and `ttrpc.Response` (what the client
/// decodes). The whole input is tried as each. Malformed bytes must throw;
/// what decodes must encode to bytes that decode to the same message again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The fuzzer's own buffer, exactly `size` bytes: AddressSanitizer sees any read past it.
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    checkRoundTrip(TTRPCRequest.self, bytes)
    checkRoundTrip(TTRPCResponse.self, bytes)
    return 0
}

exit(runLibFuzzer { data, size in fuzzEnvelope(data ?? UnsafePointer(bitPattern: 1)!, size) })
