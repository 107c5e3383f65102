import TriadSetup
/// ZeroMQ endpoints given on the command line, checked before libzmq sees them (it wraps a port of 99999
/// to 34463 and -1 to 65535 instead of refusing them).
enum Endpoint {
    /// `tcp://HOST:PORT` with PORT in 1…65535 (`*` or 0 to pick one, only when binding), `ipc://PATH` or
    /// `inproc://NAME`; anything else is an `InputError` naming the flag.
    static func check(_ endpoint: String, flag: String, binding: Bool) throws {
        func refuse(_ why: String) -> InputError {
            InputError("triad: \(flag) '\(endpoint.prefix(80))': \(why)")
        }
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") {
            guard endpoint.count > (endpoint.hasPrefix("ipc://") ? 6 : 9) else { throw refuse("names nothing") }
            return
        }
        guard endpoint.hasPrefix("tcp://") else { throw refuse("use tcp://HOST:PORT (or ipc:// / inproc://)") }
        let address = endpoint.dropFirst(6)
        guard let colon = address.lastIndex(of: ":"), colon != address.startIndex else {
            throw refuse("needs HOST:PORT")
        }
        let port = address[address.index(after: colon)...]
        if binding && (port == "*" || port == "0") { return }
        guard port.count <= 5, port.allSatisfy(\.isASCII), let number = Int(port), (1...65_535).contains(number) else {
            throw refuse("the port must be 1…65535\(binding ? " (or * to pick one)" : "")")
        }
    }
}
