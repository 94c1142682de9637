namespace ConfigPortal.Web.Components.Shared;

/// <summary>The diff viewer's layouts.</summary>
public enum DiffViewMode
{
    SideBySide = 0,
    Unified = 1,
}

/// <summary>What one fixed-height line of the viewer shows.</summary>
internal enum DiffItemKind
{
    /// <summary>A side-by-side row, or an unchanged row inline.</summary>
    Row,
    /// <summary>Inline: the removed side of a row.</summary>
    Old,
    /// <summary>Inline: the added side of a row.</summary>
    New,
    /// <summary>The section label above a change.</summary>
    Header,
    /// <summary>A collapsed unchanged run.</summary>
    Expander,
}

/// <param name="Index">Row index (Row, Old, New), change index (Header) or segment index (Expander).</param>
internal readonly record struct DiffItem(DiffItemKind Kind, int Index);
