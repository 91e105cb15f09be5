/// How an API exec ended, and how each protocol version tells kubectl.
enum ExecResult {
    case success
    case exitCode(Int32, message: String)
    case failure(String)

    /// v4 and v5: a metav1.Status; kubectl exits with the code a NonZeroExitCode carries.
    var status: [String: Any] {
        switch self {
        case .success:
            return ["metadata": [String: Any](), "status": "Success"]
        case .exitCode(let code, let message):
            return [
                "metadata": [String: Any](), "status": "Failure", "message": message, "reason": "NonZeroExitCode",
                "details": ["causes": [["reason": "ExitCode", "message": String(code)]]],
            ]
        case .failure(let message):
            return ["metadata": [String: Any](), "status": "Failure", "message": message, "reason": "InternalError", "code": 500]
        }
    }

    /// v1 to v3 carry only an error's text (kubectl prints it and exits 1); success says nothing.
    var text: String? {
        switch self {
        case .success: return nil
        case .exitCode(_, let message), .failure(let message): return message
        }
    }
}
