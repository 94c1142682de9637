using ConfigPortal.Domain.Common;

namespace ConfigPortal.Web.Components.Shared;

/// <summary>Turns a service exception into a message fit for a snackbar or an alert.</summary>
public static class UiErrors
{
    public static string Describe(Exception ex) => ex switch
    {
        ValidationException v => v.Message,
        NotFoundException => "Not found: it does not exist or belongs to another tenant.",
        AccessDeniedException a => a.Message,
        _ => "Something went wrong; the error was logged.",
    };

    public static bool IsExpected(Exception ex) => ex is ValidationException or NotFoundException or AccessDeniedException;
}
