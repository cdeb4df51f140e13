import ArgumentParser
import GoodyAPI
import Planning
import Recipients

/// What `plan` and `send` share: the file, how to read it, and the campaign.
struct PlanArguments: ParsableArguments {
    @Argument(help: "The exported spreadsheet (.csv, .txt or .xlsx); `send --plan` takes it from the plan.")
    var file: String?

    @Option(help: "How the gifts will be sent: \(SendMethod.allValueStrings.joined(separator: ", ")).")
    var sendMethod: SendMethod?

    @OptionGroup var campaign: CampaignOptions
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var rejected: RejectedOptions

    @Flag(help: "Allow two rows with the same email, or the same name and address.")
    var allowDuplicates = false

    /// The plan request these arguments describe; a settings problem exits with 2.
    func request() throws -> PlanRequest {
        guard let file else {
            throw ValidationError("Give the spreadsheet to read: goody-batch plan FILE … (or send --plan PLAN).")
        }
        let settings = try Output.reportingInputProblems { try campaign.settings(sendMethod: sendMethod) }
        return PlanRequest(
            input: ValidationRequest(
                path: file, read: reading.readOptions,
                options: ValidationOptions(
                    method: settings.sendMethod ?? .emailAndLink, allowDuplicates: allowDuplicates),
                overrides: try Output.reportingInputProblems { try reading.overrides(campaign: settings) },
                preferPreferredName: reading.usesPreferredName, rejectedPath: rejected.path),
            campaign: settings)
    }

}
