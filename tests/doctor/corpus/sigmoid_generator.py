"""G ends with a sigmoid and the images stay in [0, 1] (ToTensor only)."""
# expect: T01=fail T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn
from torchvision import datasets
from torchvision.transforms import ToTensor

data = datasets.FashionMNIST("data", transform=ToTensor())
loader = torch.utils.data.DataLoader(data, batch_size=128, shuffle=True)

netG = nn.Sequential(
    nn.ConvTranspose2d(100, 128, 7, 1, 0), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
    nn.ConvTranspose2d(128, 1, 4, 4, 0), nn.Sigmoid())
netD = nn.Sequential(
    nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128),
    nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 7 * 7, 1), nn.Sigmoid())
criterion = nn.BCELoss()
optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))

for epoch in range(30):
    for imgs, labels in loader:
        ones, zeros = torch.ones(imgs.size(0), 1), torch.zeros(imgs.size(0), 1)
        fake = netG(torch.randn(imgs.size(0), 100, 1, 1))
        errD = criterion(netD(imgs), ones) + criterion(netD(fake.detach()), zeros)
        optimizerD.zero_grad(); errD.backward(); optimizerD.step()
        errG = criterion(netD(fake), ones)
        optimizerG.zero_grad(); errG.backward(); optimizerG.step()
